package transformer

import (
	"testing"
	"time"
)

// TestSpinRecv: spinRecv takes a message already waiting, one sent while it
// spins, and one sent after it has stopped spinning and parked, each once
// and in order.
func TestSpinRecv(t *testing.T) {
	for _, delay := range []time.Duration{-1, 0, spinFor / 4, 3 * spinFor, 20 * time.Millisecond} {
		ch := make(chan int, 2)
		if delay < 0 {
			ch <- 7
		} else {
			go func() {
				time.Sleep(delay)
				ch <- 7
			}()
		}
		got := make(chan int)
		go func() { got <- spinRecv(ch) }()
		select {
		case v := <-got:
			if v != 7 {
				t.Fatalf("delay %v: received %d, sent 7", delay, v)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("delay %v: spinRecv did not return the message sent", delay)
		}
		select {
		case v := <-ch:
			t.Fatalf("delay %v: %d left in the channel: spinRecv took nothing", delay, v)
		default:
		}
	}
}
