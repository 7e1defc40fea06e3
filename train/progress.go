package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rivo/uniseg"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/tick-llm/tick/internal/tty"
)

// progress shows how far training is: on a terminal, a one-line bar (step,
// loss, tokens/s, elapsed and time left, percentage) redrawn in place and
// fitted to the terminal's width; elsewhere (a file, a pipe) redraws would
// only leave carriage returns and padding, so it writes one plain line per
// evaluation.
type progress struct {
	bar   *progressbar.ProgressBar // nil when w is not a terminal
	w     io.Writer
	first int
	total int
	begun time.Time

	lastStep  int
	lastLoss  float64
	lastSpeed float64
}

// progressThrottle is the shortest time between two redraws of the bar;
// tests set it to 0 to see every redraw.
var progressThrottle = 100 * time.Millisecond

// barWidth is the width of the bar itself, the ===> between | and |.
const barWidth = 10

// newProgress returns the progress of the steps first..total, or nil for
// w == nil.
func newProgress(w io.Writer, first, total int) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, first: first, total: total, begun: time.Now()}
	if !tty.Is(w) {
		return p
	}
	// The line is fitted to the terminal here, not by progressbar: a line
	// as wide as the terminal or wider wraps, and each redraw, going back
	// only to the start of the last row, would leave a new line behind. So
	// the times are in the description, not progressbar's own
	// [elapsed:left], the bar has a fixed width, and progressbar writes
	// through a plain io.Writer: given the *os.File, it would stretch or
	// shrink the bar to fill the terminal exactly. ANSI codes clear the
	// line however long the last drawing was.
	p.bar = progressbar.NewOptions(total-first+1,
		progressbar.OptionSetWriter(struct{ io.Writer }{w}),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionThrottle(progressThrottle),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "|", BarEnd: "|"}),
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// step records one more step and, on a terminal, redraws the bar.
func (p *progress) step(step int, loss, tokensPerSec float64) {
	if p == nil {
		return
	}
	p.lastStep, p.lastLoss, p.lastSpeed = step, loss, tokensPerSec
	if p.bar != nil {
		p.bar.Describe(p.describe(terminalWidth(p.w)))
		p.bar.Add(1)
	}
}

// describe is the text before the bar, the most that leaves the line
// shorter than a terminal of cols columns: "step 150/200 loss 2.345 12.3k tok/s 1m2s ~30s left",
// losing the times, the speed, the word "step" and the step count as the
// terminal narrows. The loss goes last: it is what the bar is watched for.
func (p *progress) describe(cols int) string {
	elapsed := time.Since(p.begun)
	steps := fmt.Sprintf("%d/%d", p.lastStep, p.total)
	loss := fmt.Sprintf("loss %.3f", p.lastLoss)
	speed := humanCount(p.lastSpeed) + " tok/s"
	times := elapsed.Round(time.Second).String()
	if left, ok := p.left(elapsed); ok {
		times += " ~" + left.Round(time.Second).String() + " left"
	}
	candidates := []string{
		"step " + steps + " " + loss + " " + speed + " " + times,
		"step " + steps + " " + loss + " " + speed,
		"step " + steps + " " + loss,
		steps + " " + loss,
		loss, // the percentage still tells how far
	}
	for _, d := range candidates {
		if barLineWidth(d) < cols {
			return d
		}
	}
	return ""
}

// barLineWidth is the width of the line progressbar draws after
// description: "DESC  75% |=====>    |  " (the description, the
// percentage right-aligned in four columns and %, a space, the bar between
// two |, and two spaces).
func barLineWidth(description string) int {
	return uniseg.StringWidth(description) + 4 + 1 + 1 + 1 + barWidth + 1 + 2
}

// terminalWidth is the width of the terminal w writes to, 80 if it cannot
// be told.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return 80
}

// left estimates the time to the last step from the pace so far.
func (p *progress) left(elapsed time.Duration) (time.Duration, bool) {
	done := p.lastStep - p.first + 1
	if done <= 0 || p.lastStep >= p.total {
		return 0, false
	}
	return time.Duration(float64(elapsed) / float64(done) * float64(p.total-p.lastStep)), true
}

// evaluated writes the plain progress line when there is no bar.
func (p *progress) evaluated() {
	if p == nil || p.bar != nil || p.lastStep < p.first {
		return
	}
	elapsed := time.Since(p.begun)
	line := fmt.Sprintf("progress: %d/%d steps (%.0f%%), loss %.3f, %s tok/s, %s elapsed",
		p.lastStep, p.total, 100*float64(p.lastStep)/float64(p.total), p.lastLoss, humanCount(p.lastSpeed), elapsed.Round(time.Second))
	if left, ok := p.left(elapsed); ok {
		line += fmt.Sprintf(", ~%s left", left.Round(time.Second))
	}
	fmt.Fprintln(p.w, line)
}

// clear removes the bar so lines can be printed; the next step redraws it.
func (p *progress) clear() {
	if p != nil && p.bar != nil {
		p.bar.Clear()
	}
}

// finish removes the bar for good, leaving the line to the next message.
func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Clear()
		p.bar.Exit()
	}
}

// humanCount writes 12345 as "12.3k".
func humanCount(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.1fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
