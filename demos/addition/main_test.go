package main

import (
	"bytes"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tick-llm/tick/demos/internal/demotest"
	"github.com/tick-llm/tick/demos/internal/seqtask"
)

// TestTask checks the data against arithmetic: every problem appears exactly
// once across the two sets, and each sequence holds a, b and the digits of
// a+b backwards.
func TestTask(t *testing.T) {
	for _, digits := range []int{1, 2, 3} {
		tk := task{digits}
		trainSet, testSet, err := seqtask.Split(tk, tk.Count()/10, 1, 0x616464, "problems")
		if err != nil {
			t.Fatal(err)
		}
		all := append(slices.Clone(trainSet), testSet...)
		slices.Sort(all)
		for i, id := range all {
			if id != i {
				t.Fatalf("%d digits: split lost or repeated problem %d", digits, i)
			}
		}
		seq := make([]int, tk.SeqLen())
		for _, id := range all[:min(len(all), 20000)] {
			a, b := tk.problem(id)
			tk.encode(seq, a, b)
			in := fmt.Sprintf("%0*d%0*d", digits, a, digits, b)
			sum := []byte(fmt.Sprintf("%0*d", digits+1, a+b))
			slices.Reverse(sum)
			if got := digitString(seq); got != in+string(sum) {
				t.Fatalf("%s: sequence %s, want %s", tk.format(a, b), got, in+string(sum))
			}
			if tk.decodeSum(seq[tk.PromptLen():]) != a+b {
				t.Fatalf("%s: answer digits decode to %d", tk.format(a, b), tk.decodeSum(seq[tk.PromptLen():]))
			}
		}
	}
}

func digitString(d []int) string {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = byte('0' + v)
	}
	return string(b)
}

// TestAccuracyMatchesCache checks the batched greedy decoding against an
// independent one: each problem alone, digit by digit, through the model's
// key/value cache, compared with a+b.
func TestAccuracyMatchesCache(t *testing.T) {
	tk := task{1}
	m := demotest.TaskModel(t, tk, 10, 32, 100) // partly trained
	all := make([]int, tk.Count())
	for i := range all {
		all[i] = i
	}
	acc, wrong, err := accuracy(tk, m, all)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, id := range all {
		a, b := tk.problem(id)
		d := demotest.GreedyByCache(t, m, []int{a, b}, 2) // two answer digits, least significant first
		if d[0]+10*d[1] == a+b {
			right++
		}
	}
	demotest.SameAccuracy(t, acc, len(wrong), right, len(all))
	for _, mk := range wrong {
		if mk.got == mk.a+mk.b {
			t.Errorf("%d+%d listed as a mistake with the right answer %d", mk.a, mk.b, mk.got)
		}
	}
}

// TestRun runs the demo on one-digit addition and checks the reported
// accuracy is consistent: a fraction in [0,1] equal to right/total, with
// that many mistakes listed, each with the true sum.
func TestRun(t *testing.T) {
	cfg := defaultConfig()
	cfg.Digits, cfg.HeldOut = 1, 20
	cfg.Layers, cfg.Heads, cfg.Dim = 1, 2, 32
	cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.TimeLimit = 32, 60, 30, time.Duration(0)
	cfg.ShowMistakes = 100
	var buf bytes.Buffer
	if err := run(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	right, total := demotest.HeldOut(t, out, "problems right")
	if total != cfg.HeldOut {
		t.Errorf("%d held out, want %d", total, cfg.HeldOut)
	}
	lines := regexp.MustCompile(`(?m)^  (\d)\+(\d) = (\d+), model says \d+$`).FindAllStringSubmatch(out, -1)
	if len(lines) != total-right {
		t.Errorf("%d mistakes listed, want %d", len(lines), total-right)
	}
	for _, l := range lines {
		a, _ := strconv.Atoi(l[1])
		b, _ := strconv.Atoi(l[2])
		if c, _ := strconv.Atoi(l[3]); c != a+b {
			t.Errorf("mistake line %q shows the wrong true sum", l[0])
		}
	}
}

var seconds = regexp.MustCompile(`[0-9.]+s\b`)

// TestDeterministic runs the demo twice, on one core and on all of them:
// the same seed must print the same steps, losses, accuracy and mistakes
// (only the times may differ).
func TestDeterministic(t *testing.T) {
	cfg := defaultConfig()
	cfg.Digits, cfg.HeldOut = 1, 20
	cfg.Layers, cfg.Heads, cfg.Dim = 1, 2, 32
	cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.TimeLimit = 32, 40, 20, time.Duration(0)
	var outs [2]string
	for i, procs := range []int{1, max(2, runtime.NumCPU())} {
		prev := runtime.GOMAXPROCS(procs)
		var buf bytes.Buffer
		err := run(&buf, cfg)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = seconds.ReplaceAllString(buf.String(), "_s")
	}
	if outs[0] != outs[1] {
		t.Errorf("same seed, different output on 1 core and on several:\n%s\n---\n%s", outs[0], outs[1])
	}
}
