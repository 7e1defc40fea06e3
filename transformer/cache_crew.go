package transformer

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The crew is the process's goroutines for the float32 cache's parallel
// work: a product cut into parts hands parts 1..n-1 to the crew through one
// channel and computes part 0 itself. The goroutines are started once, on
// first need, and then wait on the channel, so a hand-off is a channel send
// of a small struct and nothing is allocated or started per product. Every
// part says which rows it computes, and a row is computed the same way
// whoever runs it, so the results do not depend on how many goroutines
// there are or which one took which part.
//
// Waking a parked goroutine costs a few microseconds (the runtime's futex),
// and a token makes about 25 hand-offs; so a crew goroutine that finishes a
// part, and a caller waiting for its parts, first spin for up to spinFor
// (polling the channel, yielding to any other goroutine between polls),
// as OpenMP's threads spin before they sleep: a part sent meanwhile is
// taken with no wake-up at all. After spinFor without work they park, so an
// idle process burns no core.
var crew struct {
	mu      sync.Mutex
	started atomic.Int32 // goroutines running crewWork
	parts   chan crewPart
}

// crewPart is part i of n of some work; done hears when it is finished.
type crewPart struct {
	run  func(i, n int)
	i, n int
	done chan<- struct{}
}

// maxCrew bounds the crew (and so the parts of a product): more goroutines
// than cores only wait for each other.
const maxCrew = 64

func init() { crew.parts = make(chan crewPart, maxCrew) }

// ensureCrew makes sure at least n goroutines are in the crew.
func ensureCrew(n int) {
	n = min(n, maxCrew)
	if int(crew.started.Load()) >= n {
		return
	}
	crew.mu.Lock()
	defer crew.mu.Unlock()
	for int(crew.started.Load()) < n {
		crew.started.Add(1)
		go crewWork()
	}
}

func crewWork() {
	for {
		p := spinRecv(crew.parts)
		p.run(p.i, p.n)
		p.done <- struct{}{}
	}
}

// spinFor is how long a goroutine polls for a message before it parks:
// longer than the gaps between a token's products (norms, RoPE: a few
// microseconds) and than the step from one token to the next (the argmax
// or the sampler, the generator's bookkeeping), short enough that a
// process with no more work, or one whose other thread the OS has
// descheduled on a busy machine, stops burning the core soon. Measured on
// the stories15M shape with 2 threads (tick bench generate, alternating
// builds): 50µs parks the crew between tokens and gives 0.97-0.98x
// llama2.c, 200µs 1.02-1.03x.
const spinFor = 200 * time.Microsecond

// spinRecv receives from ch, polling it for up to spinFor before a blocking
// receive. At most GOMAXPROCS goroutines spin at once (a crew larger than
// the cores parks the rest at once), and a spinner yields the core every
// 64 polls (runtime.Gosched: any other runnable goroutine gets it; with none
// it returns at once).
func spinRecv[T any](ch <-chan T) T {
	if int(spinners.Add(1)) <= runtime.GOMAXPROCS(0) {
		start := time.Now()
		for i := 1; ; i++ {
			select {
			case v := <-ch:
				spinners.Add(-1)
				return v
			default:
			}
			if i%64 == 0 {
				if time.Since(start) > spinFor {
					break
				}
				runtime.Gosched()
			}
		}
	}
	spinners.Add(-1)
	return <-ch
}

// spinners counts the goroutines in spinRecv's polling loop.
var spinners atomic.Int32

// splitter cuts work into parts for the crew. One splitter belongs to one
// cache (its done channel hears only that cache's parts), so caches used
// on different goroutines at once share the crew without mixing up their
// parts.
type splitter struct {
	workers int           // parts a large piece of work is cut into: the cores at NewCache (tests set it)
	minWork int           // work below this runs on the caller alone: minSplit (tests set 0 to cut everything)
	done    chan struct{} // one message per finished crew part
}

func newSplitter(workers int) splitter {
	workers = max(1, min(workers, maxCrew+1))
	return splitter{workers: workers, minWork: minSplit, done: make(chan struct{}, maxCrew+1)}
}

// minSplit is the number of multiply-adds below which work runs on the
// caller alone: a hand-off to a parked goroutine costs a few microseconds
// (waking it), about as long as 10,000 multiply-adds.
const minSplit = 1 << 15

// split runs run(i, n) for every part i in [0, n) and returns when all are
// done: parts 1..n-1 on the crew, part 0 on the calling goroutine. work is
// the number of multiply-adds, which decides n (1 for small work). run must
// be a func value made once (a method value stored by the cache), so that
// passing it allocates nothing.
func (s *splitter) split(work int, run func(i, n int)) {
	n := s.workers
	if work < s.minWork {
		n = 1
	}
	if n == 1 {
		run(0, 1)
		return
	}
	ensureCrew(n - 1)
	for i := 1; i < n; i++ {
		crew.parts <- crewPart{run: run, i: i, n: n, done: s.done}
	}
	run(0, n)
	for i := 1; i < n; i++ {
		spinRecv(s.done)
	}
}

// span is the range of part i of n over [0, size): parts differ in size by
// at most one.
func span(size, i, n int) (lo, hi int) { return size * i / n, size * (i + 1) / n }
