package bench

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Options configure a side-by-side run.
type Options struct {
	Threads []int // thread counts to measure (default 1 and 2)
	Repeats int   // timed runs per implementation and thread count (default 3)
	Peer    Peer  // nil: tick alone, and the report says there is no peer
	// NoPeer says why there is no peer, for the report.
	NoPeer string
}

func (o Options) withDefaults() Options {
	if len(o.Threads) == 0 {
		o.Threads = []int{1, 2}
	}
	if o.Repeats < 1 {
		o.Repeats = 3
	}
	return o
}

// run measures tick (tickRun does one timed run with the given threads and
// returns tokens/s) and the peer at each thread count, alternating them,
// and writes the report to w. Its last line is "speedup: N.NNx", tick's best
// rate over the peer's best (each at its best thread count), or says that
// there is no peer.
func run(w io.Writer, o Options, unit string, tickRun func(threads int) (float64, error)) error {
	o = o.withDefaults()
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	var tickBest, peerBest float64
	for _, t := range o.Threads {
		runtime.GOMAXPROCS(t)
		var tick []float64
		var peer []float64
		for range o.Repeats {
			r, err := tickRun(t)
			if err != nil {
				return err
			}
			tick = append(tick, r)
			if o.Peer != nil {
				// One peer run per tick run, so both see the same
				// moments of the machine.
				p, err := o.Peer.Run(t, 1)
				if err != nil {
					return err
				}
				peer = append(peer, p...)
			}
		}
		fmt.Fprintf(w, "%s:  tick %s\n", words(t, "thread"), span(tick, unit))
		tickBest = max(tickBest, slices.Max(tick))
		if o.Peer != nil {
			fmt.Fprintf(w, "%s:  %s %s  (tick %.2fx)\n", words(t, "thread"), o.Peer.Name(), span(peer, unit), slices.Max(tick)/slices.Max(peer))
			peerBest = max(peerBest, slices.Max(peer))
		}
	}
	if o.Peer == nil {
		why := o.NoPeer
		if why == "" {
			why = "none given"
		}
		fmt.Fprintf(w, "speedup: no peer to compare with (%s)\n", why)
		return nil
	}
	fmt.Fprintf(w, "speedup: %.2fx\n", tickBest/peerBest)
	return nil
}

// span prints the best rate and the range of rates of repeated runs.
func span(rates []float64, unit string) string {
	lo, hi := slices.Min(rates), slices.Max(rates)
	if len(rates) == 1 {
		return fmt.Sprintf("%s %s", thousands(hi), unit)
	}
	return fmt.Sprintf("%s %s (best of %d; range %s-%s)", thousands(hi), unit, len(rates), thousands(lo), thousands(hi))
}

// thousands formats a rate with a thousands separator and no decimals
// above 100, one decimal below.
func thousands(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func words(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// timeRate runs f and returns work/elapsed seconds.
func timeRate(work int, f func() error) (float64, error) {
	t0 := time.Now()
	if err := f(); err != nil {
		return 0, err
	}
	return float64(work) / time.Since(t0).Seconds(), nil
}

// Named is a benchmark shape and the name --shape gives it.
type Named[S any] struct {
	Name  string
	Shape S
}

// shapeNamed returns the shape in list called name, or an error that
// lists the names there are.
func shapeNamed[S any](list []Named[S], name string) (S, error) {
	var names []string
	for _, s := range list {
		if s.Name == name {
			return s.Shape, nil
		}
		names = append(names, s.Name)
	}
	var zero S
	return zero, fmt.Errorf("--shape %q: no such shape; use one of %s", name, strings.Join(names, ", "))
}
