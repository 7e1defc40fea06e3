package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is the one-line progress bar: step, loss, tokens/s, percentage,
// elapsed and time left. It fits in about 70 columns.
type progress struct {
	bar   *progressbar.ProgressBar
	total int
}

// newProgress returns a bar for the steps first..total, or nil for w == nil.
func newProgress(w io.Writer, first, total int) *progress {
	if w == nil {
		return nil
	}
	bar := progressbar.NewOptions(total-first+1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(10),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "|", BarEnd: "|"}),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar, total: total}
}

// step advances the bar by one step and shows its figures.
func (p *progress) step(step int, loss, tokensPerSec float64) {
	if p == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("step %d/%d loss %.3f %s tok/s", step, p.total, loss, humanCount(tokensPerSec)))
	p.bar.Add(1)
}

// clear removes the bar so lines can be printed; the next step redraws it.
func (p *progress) clear() {
	if p != nil {
		p.bar.Clear()
	}
}

// finish removes the bar for good, leaving the line to the next message.
func (p *progress) finish() {
	if p != nil {
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
