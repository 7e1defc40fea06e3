package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePeer returns fixed rates, so the report's arithmetic can be checked.
type fakePeer struct{ rate map[int]float64 }

func (p fakePeer) Name() string { return "fake" }
func (p fakePeer) Run(threads, repeats int) ([]float64, error) {
	r := make([]float64, repeats)
	for i := range r {
		r[i] = p.rate[threads]
	}
	return r, nil
}

func lastLineOf(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// The speedup divides tick's best rate by the peer's best, each at its own
// best thread count, and with no peer no ratio is printed at all.
func TestRunSpeedup(t *testing.T) {
	tickRate := map[int]float64{1: 300, 2: 450}
	tick := func(threads int) (float64, error) { return tickRate[threads], nil }
	for _, tc := range []struct {
		name string
		peer Peer
		want string
	}{
		{"peer best at 1 thread", fakePeer{map[int]float64{1: 200, 2: 150}}, "speedup: 2.25x"},
		{"peer best at 2 threads", fakePeer{map[int]float64{1: 100, 2: 900}}, "speedup: 0.50x"},
		{"no peer", nil, "speedup: no peer to compare with (none given)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(&out, Options{Repeats: 2, Peer: tc.peer}, "tok/s", tick); err != nil {
				t.Fatal(err)
			}
			if got := lastLineOf(out.String()); got != tc.want {
				t.Errorf("last line %q, want %q\n%s", got, tc.want, out.String())
			}
		})
	}
}

// Train runs real optimiser steps (on a tiny shape here, to stay fast).
func TestTrainTiny(t *testing.T) {
	var out bytes.Buffer
	s := TrainShape{Layers: 1, Heads: 2, Dim: 16, Context: 8, Batch: 2, Vocab: 11}
	if err := Train(&out, s, 2, Options{Threads: []int{1}, Repeats: 1, NoPeer: "test"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 thread:  tick ") || lastLineOf(out.String()) != "speedup: no peer to compare with (test)" {
		t.Errorf("report:\n%s", out.String())
	}
}

// writeScript writes an executable shell script that prints text.
func writeScript(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "peer")
	if err := os.WriteFile(path, []byte("#!/bin/sh\ncat <<'END'\n"+text+"\nEND\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// llm.c's step lines give the rate; the first step is a warm-up and is
// left out.
func TestLLMCPeer(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run a fake peer")
	}
	path := writeScript(t, "step 0: train loss 5.5 (took 900.0 ms)\nstep 1: train loss 5.4 (took 100.0 ms)\nstep 2: train loss 5.3 (took 300.0 ms)")
	p := TrainPeerLLMC(path, nil, NanoGPT)
	rates, err := p.Run(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * 768 / 0.4; len(rates) != 1 || rates[0] != want {
		t.Errorf("rates %v, want [%g]", rates, want)
	}
	if _, err := TrainPeerLLMC(writeScript(t, "no steps here"), nil, NanoGPT).Run(1, 1); err == nil || !strings.Contains(err.Error(), "took N ms") {
		t.Errorf("output without step lines: err %v", err)
	}
}

func TestLlama2cPeer(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run a fake peer")
	}
	rates, err := GeneratePeerLlama2c(writeScript(t, "Once upon a time\nachieved tok/s: 304.5"), nil).Run(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 2 || rates[0] != 304.5 {
		t.Errorf("rates %v, want [304.5 304.5]", rates)
	}
}

// Python without torch is reported as the reason there is no peer.
func TestHasTorchMissing(t *testing.T) {
	err := HasTorch(filepath.Join(t.TempDir(), "no-python"))
	if err == nil || !strings.Contains(err.Error(), "python3-torch") {
		t.Errorf("HasTorch(missing) = %v", err)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{12345.6: "12,346", 999: "999", 1000: "1,000", 85.14: "85.1", 1234567: "1,234,567"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%g) = %q, want %q", in, got, want)
		}
	}
}
