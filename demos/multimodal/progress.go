package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tick-llm/tick/internal/tty"
)

// progress is a one-line bar on a terminal (step, loss, steps a second,
// time left), as tick train draws it, and nothing elsewhere: in a file or
// a pipe the measurement lines every few hundred steps say how far it is.
type progress struct {
	bar   *progressbar.ProgressBar
	total int
	begun time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{total: total, begun: time.Now()}
	if !tty.Is(w) {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(struct{ io.Writer }{w}), // a plain writer: the bar keeps its width
		progressbar.OptionSetWidth(10),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "|", BarEnd: "|"}),
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// step records step n and redraws the bar.
func (p *progress) step(n int, loss, stepsPerSec float64) {
	if p.bar == nil {
		return
	}
	left := time.Duration(float64(p.total-n) / stepsPerSec * float64(time.Second)).Round(time.Second)
	p.bar.Describe(fmt.Sprintf("step %d/%d loss %.3f %.1f steps/s ~%s left", n, p.total, loss, stepsPerSec, left))
	p.bar.Add(1)
}

// clear removes the bar so a line can be printed; the next step redraws it.
func (p *progress) clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

// finish removes the bar for good.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Clear()
		p.bar.Exit()
		p.bar = nil
	}
}
