package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/tick-llm/tick/internal/tty"
)

// progress shows how far training is: on a terminal, a one-line bar (step,
// loss, tokens/s, percentage, elapsed and time left, about 70 columns)
// redrawn in place; elsewhere (a file, a pipe) redraws would only leave
// carriage returns and padding, so it writes one plain line per evaluation.
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
	p.bar = progressbar.NewOptions(total-first+1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(10),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
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
		p.bar.Describe(fmt.Sprintf("step %d/%d loss %.3f %s tok/s", step, p.total, loss, humanCount(tokensPerSec)))
		p.bar.Add(1)
	}
}

// evaluated writes the plain progress line when there is no bar.
func (p *progress) evaluated() {
	if p == nil || p.bar != nil || p.lastStep < p.first {
		return
	}
	elapsed := time.Since(p.begun)
	line := fmt.Sprintf("progress: %d/%d steps (%.0f%%), loss %.3f, %s tok/s, %s elapsed",
		p.lastStep, p.total, 100*float64(p.lastStep)/float64(p.total), p.lastLoss, humanCount(p.lastSpeed), elapsed.Round(time.Second))
	if done := p.lastStep - p.first + 1; done > 0 && p.lastStep < p.total {
		left := time.Duration(float64(elapsed) / float64(done) * float64(p.total-p.lastStep))
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
