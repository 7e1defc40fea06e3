package transformer

import (
	"runtime"
	"sync"
)

// parallelFor runs fn(worker, i) for every item i in [0, n) on up to
// workers goroutines (worker in [0, workers) indexes per-goroutine scratch).
// Each item does the same arithmetic whichever goroutine runs it and items
// write disjoint outputs, so results never depend on the number of cores.
func parallelFor(n, workers int, fn func(worker, i int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
}

// parallelRows splits rows [0, n) into contiguous chunks, one per worker,
// for element-wise layers; small inputs run on the calling goroutine.
func parallelRows(n, rowWork, workers int, fn func(lo, hi int)) {
	if workers <= 1 || n*rowWork < 1<<15 {
		fn(0, n)
		return
	}
	if workers > n {
		workers = n
	}
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// defaultWorkers is the number of goroutines used for attention and the
// element-wise layers.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
