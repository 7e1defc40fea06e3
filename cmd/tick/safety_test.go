package main

// Nothing a user owns is ever lost (issue 15, part B): each case runs tick
// as a user would against a folder holding the user's files, another run,
// or a run left half-written, and checks the one-line error, the exit
// status, that every file of the user's is as it was, and that the run's
// checkpoint still loads (by resuming it, which also checks it continues
// exactly).

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/filetree"
)

func sameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if !maps.Equal(before, after) {
		t.Errorf("%s changed:\nbefore %v\nafter  %v", what, slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
}

// writeFiles writes path -> contents under root; a path ending in "/" is a
// folder.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		dir := full
		if !strings.HasSuffix(p, "/") {
			dir = filepath.Dir(full)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(p, "/") {
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// stepLines checks that the metrics of the run in dir are whole JSON lines
// and returns how often each step has a "step" line.
func stepLines(t *testing.T, dir string) map[int]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("metrics.jsonl does not end in a whole line: ...%q", b[max(0, len(b)-40):])
	}
	n := map[int]int{}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var m struct {
			Kind string `json:"kind"`
			Step int    `json:"step"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("metrics.jsonl line %d %q: %v", i+1, line, err)
		}
		if m.Kind == "step" {
			n[m.Step]++
		}
	}
	return n
}

// checkEachStepOnce checks that steps 1..last each have exactly one line.
func checkEachStepOnce(t *testing.T, dir string, last int) {
	t.Helper()
	n := stepLines(t, dir)
	for s := 1; s <= last; s++ {
		if n[s] != 1 {
			t.Errorf("metrics.jsonl has %d lines for step %d, want 1", n[s], s)
			return
		}
	}
	if len(n) != last {
		t.Errorf("metrics.jsonl has lines for %d steps, want %d", len(n), last)
	}
}

// TestTrainKeepsTheUsersFolder: tick train --out on a folder of the user's
// (the thesis in last.old/, their own best.old/, loss.png,
// metrics.jsonl, a last/ that is not a checkpoint, anything) is refused,
// with or without --resume, before anything is written.
func TestTrainKeepsTheUsersFolder(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 4000)
	cases := []struct {
		name  string
		files map[string]string
		names []string
	}{
		{"thesis in last.old", map[string]string{"last.old/chapter1.txt": "thesis\n"}, []string{"last.old/"}},
		{"own best.old", map[string]string{"best.old/notes.txt": "mine"}, []string{"best.old/"}},
		{"own loss.png", map[string]string{"loss.png": "my own plot"}, []string{"loss.png"}},
		{"own metrics.jsonl", map[string]string{"metrics.jsonl": "{\"mine\":1}\n"}, []string{"metrics.jsonl"}},
		{"a last/ that is no checkpoint", map[string]string{"last/draft.txt": "draft"}, []string{"last/"}},
		{"a temporary-looking name", map[string]string{".last.tmp-mine": "mine"}, []string{".last.tmp-mine"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := filepath.Join(dir, "u"+strconv.Itoa(i))
			writeFiles(t, u, c.files)
			before := filetree.Snapshot(t, u)
			r := tick(t, dir, "", append([]string{"train", "--data", data, "--out", u}, append(tinyArgs, "--steps", "20")...)...)
			checkBadInput(t, r, append([]string{u, "not a tick run", "choose another --out"}, c.names...)...)
			sameTree(t, "the user's folder after tick train", before, filetree.Snapshot(t, u))
			r = tick(t, dir, "", "train", "--data", data, "--out", u, "--resume")
			checkBadInput(t, r, u, "not a tick run")
			sameTree(t, "the user's folder after tick train --resume", before, filetree.Snapshot(t, u))
		})
	}
}

// TestBPETrainKeepsPackageJSON: --out ub/package.tiktoken must not replace
// an unrelated ub/package.json with its sidecar; it is refused before
// training, and a vocabulary's own sidecar is replaced as before.
func TestBPETrainKeepsPackageJSON(t *testing.T) {
	dir := t.TempDir()
	corpus, _ := opticks(t, dir, "corpus.txt", 8000)
	ub := filepath.Join(dir, "ub")
	writeFiles(t, ub, map[string]string{"package.json": `{"name":"ub","version":"1.0.0"}` + "\n"})
	before := filetree.Snapshot(t, ub)
	out := filepath.Join(ub, "package.tiktoken")
	r := tick(t, dir, "", "bpe", "train", "--file", corpus, "--vocab", "300", "--out", out)
	checkBadInput(t, r, filepath.Join(ub, "package.json"), "not a tokenizer sidecar", "--out", "rename that file")
	if strings.Contains(r.stderr, "training on") {
		t.Errorf("the refusal came only after training:\n%s", r)
	}
	sameTree(t, "ub", before, filetree.Snapshot(t, ub))

	own := filepath.Join(dir, "own.tiktoken")
	for _, vocab := range []string{"300", "320"} {
		mustSucceed(t, tick(t, dir, "", "bpe", "train", "--file", corpus, "--vocab", vocab, "--out", own))
	}
	if n := len(readRankFile(t, own)); n != 320 {
		t.Errorf("the second training left %d ranks, want 320", n)
	}
	mustSucceed(t, tick(t, dir, "", "tokenize", "--encoding", own, "of light"))
}

// TestHalfSavedVocabularyIsRefused: the state a kill between the two
// renames of a vocabulary save leaves (the new sidecar beside the old rank
// file) is refused by every command that loads it, with one line saying
// to train it again, instead of encoding with the wrong pattern.
func TestHalfSavedVocabularyIsRefused(t *testing.T) {
	dir := t.TempDir()
	corpus, _ := opticks(t, dir, "corpus.txt", 8000)
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	old, next := filepath.Join(dir, "v.tiktoken"), filepath.Join(dir, "next", "v.tiktoken")
	os.Mkdir(filepath.Dir(next), 0o755)
	mustSucceed(t, tick(t, dir, "", "bpe", "train", "--file", corpus, "--vocab", "300", "--pattern", "gpt2", "--out", old))
	mustSucceed(t, tick(t, dir, "", "bpe", "train", "--file", corpus, "--vocab", "320", "--pattern", "none", "--out", next))
	side, err := os.ReadFile(filepath.Join(dir, "next", "v.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "v.json"), side, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"tokenize", "--encoding", old, "of light"},
		{"bpe", "explain", "--encoding", old, "of light"},
		append([]string{"train", "--data", data, "--tokenizer", old, "--out", filepath.Join(dir, "run")}, tinyArgs...),
	} {
		r := tick(t, dir, "", args...)
		checkBadInput(t, r, old, "do not belong together", "tick bpe train --out "+old)
	}
}

// TestTrainRefusesNestedRun: a run inside another run's checkpoint folder
// (--out nest/best), its .old copy or inside a checkpoint is refused: the
// outer run's saves would delete it. The outer run is untouched and
// continues.
func TestTrainRefusesNestedRun(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	nest := filepath.Join(dir, "nest")
	mustSucceed(t, tick(t, dir, "", append([]string{"train", "--data", data, "--out", nest}, tinyArgs...)...))
	before := filetree.Snapshot(t, nest)
	for _, out := range []string{filepath.Join(nest, "best"), filepath.Join(nest, "last"), filepath.Join(nest, "best.old"), filepath.Join(nest, "last", "inner")} {
		r := tick(t, dir, "", append([]string{"train", "--data", data, "--out", out}, tinyArgs...)...)
		checkBadInput(t, r, out, "checkpoint folder", nest, "--out")
	}
	sameTree(t, "the outer run", before, filetree.Snapshot(t, nest))
	mustSucceed(t, tick(t, dir, "", "train", "--data", data, "--out", nest, "--resume", "--steps", "6"))
	checkEachStepOnce(t, nest, 6)
}

// running is a tick process in the background.
type running struct {
	cmd            *exec.Cmd
	done           chan error
	mu             sync.Mutex
	stdout, stderr bytes.Buffer
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func startTick(t *testing.T, dir string, args ...string) *running {
	t.Helper()
	r := &running{cmd: exec.Command(tickBin, args...), done: make(chan error, 1)}
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), "NO_COLOR=1")
	r.cmd.Stdout, r.cmd.Stderr = lockedWriter{&r.mu, &r.stdout}, lockedWriter{&r.mu, &r.stderr}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
		r.done <- nil
	})
	return r
}

// waitFor polls cond until it holds, failing if the process ends first.
func (r *running) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(cmdTimeout)
	for !cond() {
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("tick ended (%v) before %s:\n%s", err, what, r.output())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// interrupt sends Ctrl-C and waits for the process to end.
func (r *running) interrupt(t *testing.T) result {
	t.Helper()
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-r.done:
		r.done <- err
	case <-time.After(cmdTimeout):
		t.Fatal("Ctrl-C did not stop tick")
	}
	r.mu.Lock()
	res := result{args: r.cmd.Args[1:], stdout: r.stdout.String(), stderr: r.stderr.String(), err: err, code: r.cmd.ProcessState.ExitCode()}
	r.mu.Unlock()
	checkNoPanic(t, res)
	return res
}

func (r *running) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stdout.String() + r.stderr.String()
}

// metricsLines counts the lines of a run's metrics.jsonl.
func metricsLines(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	return bytes.Count(b, []byte("\n"))
}

// longRun is a tiny model trained long enough to be caught running.
func longRun(data, out string) []string {
	return []string{"train", "--data", data, "--out", out, "--layers", "1", "--heads", "1", "--dim", "16",
		"--context", "8", "--batch", "2", "--steps", "600", "--seed", "7", "--eval-every", "200", "--sample-tokens", "20"}
}

// TestOneRunPerFolder: while a run trains, a second run into its folder
// and a --resume of it are refused with one line naming the process that
// holds the folder (its pid); after Ctrl-C the run resumes and ends
// exactly as an uninterrupted one, each step logged once.
func TestOneRunPerFolder(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	whole := filepath.Join(dir, "whole")
	straight := tick(t, dir, "", longRun(data, whole)...)
	mustSucceed(t, straight)

	run := filepath.Join(dir, "run")
	a := startTick(t, dir, longRun(data, run)...)
	a.waitFor(t, "it logged some steps", func() bool { return metricsLines(run) >= 10 })
	pid := "pid " + strconv.Itoa(a.cmd.Process.Pid)
	for _, args := range [][]string{longRun(data, run), {"train", "--out", run, "--resume"}} {
		before := metricsLines(run)
		r := tick(t, dir, "", args...)
		checkBadInput(t, r, run, "in use", pid, "wait for it")
		if after := metricsLines(run); after < before {
			t.Errorf("metrics.jsonl lost lines while the refused run tried: %d, then %d", before, after)
		}
	}
	stopped := a.interrupt(t)
	if !strings.Contains(stopped.stdout+stopped.stderr, "--resume") {
		t.Fatalf("the interrupted run does not say how to resume:\n%s", stopped)
	}
	b := tick(t, dir, "", append(longRun(data, run), "--resume")...)
	mustSucceed(t, b)
	if got, want := lastLine(b.stdout), lastLine(straight.stdout); finalLine.FindStringSubmatch(got) == nil ||
		finalLine.FindStringSubmatch(got)[3] != finalLine.FindStringSubmatch(want)[3] {
		t.Errorf("resumed: %q\nuninterrupted: %q", got, want)
	}
	checkEachStepOnce(t, run, 600)
}

// TestFreshRunsStartedTogether: two runs started at once into one new
// folder: one trains, the other is refused with one line, and the folder
// holds the one run, each step logged once.
func TestFreshRunsStartedTogether(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	run := filepath.Join(dir, "run")
	args := append([]string{"train", "--data", data, "--out", run}, append(tinyArgs, "--steps", "200", "--eval-every", "100")...)
	rs := make([]result, 2)
	var wg sync.WaitGroup
	for i := range rs {
		wg.Go(func() { rs[i] = tick(t, dir, "", args...) })
	}
	wg.Wait()
	ok := 0
	for _, r := range rs {
		if r.code == 0 {
			ok++
			continue
		}
		checkBadInput(t, r, run)
		if !strings.Contains(r.stderr, "in use") && !strings.Contains(r.stderr, "already holds a run") {
			t.Errorf("the refused run does not say the folder is in use or holds a run:\n%s", r)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of the two runs succeeded, want exactly 1:\n%s\n%s", ok, rs[0], rs[1])
	}
	checkEachStepOnce(t, run, 200)
	if _, err := checkpoint.Load(filepath.Join(run, "last")); err != nil {
		t.Errorf("the run's checkpoint: %v", err)
	}
}

// TestResumeAfterPartialMetricsLine: a metrics.jsonl ending in half a line
// (a full disk or a kill mid-append) does not block --resume: the line is
// dropped, and the run ends exactly as an uninterrupted one.
func TestResumeAfterPartialMetricsLine(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	straight := tick(t, dir, "", longRun(data, filepath.Join(dir, "whole"))...)
	mustSucceed(t, straight)

	run := filepath.Join(dir, "run")
	a := startTick(t, dir, longRun(data, run)...)
	a.waitFor(t, "it logged some steps", func() bool { return metricsLines(run) >= 10 })
	a.interrupt(t)
	f, err := os.OpenFile(filepath.Join(run, "metrics.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"kind":"step","step":9999,"lo`)
	f.Close()

	b := tick(t, dir, "", append(longRun(data, run), "--resume")...)
	mustSucceed(t, b)
	if got, want := finalLine.FindStringSubmatch(lastLine(b.stdout)), finalLine.FindStringSubmatch(lastLine(straight.stdout)); got == nil || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("resumed: %q\nuninterrupted: %q", lastLine(b.stdout), lastLine(straight.stdout))
	}
	checkEachStepOnce(t, run, 600)
}

// TestResumeRemovesLeftovers: what saves killed mid-way leave (temporary
// checkpoint folders, a temporary plot) is removed by the next --resume,
// which says so; files of the user's, even ones named like them, stay.
func TestResumeRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	run := filepath.Join(dir, "run")
	mustSucceed(t, tick(t, dir, "", append([]string{"train", "--data", data, "--out", run}, tinyArgs...)...))
	writeFiles(t, run, map[string]string{
		".last.tmp-123/model.safetensors": "half", ".last.tmp-123/config.json": "{", ".best.tmp-9/": "", ".loss.png.tmp-77": "half a png",
	})
	users := map[string]string{".last.tmp-mine": "mine", "notes.txt": "mine", ".loss.png.tmp-x1": "mine"}
	writeFiles(t, run, users)
	r := tick(t, dir, "", "train", "--data", data, "--out", run, "--resume", "--steps", "6")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "removed 3 temporary files") {
		t.Errorf("the resume does not say it removed the 3 leftovers:\n%s", r)
	}
	for _, gone := range []string{".last.tmp-123", ".best.tmp-9", ".loss.png.tmp-77"} {
		if _, err := os.Lstat(filepath.Join(run, gone)); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
	for name, content := range users {
		if b, err := os.ReadFile(filepath.Join(run, name)); err != nil || string(b) != content {
			t.Errorf("the user's %s: %q, %v", name, b, err)
		}
	}
	checkEachStepOnce(t, run, 6)
}

// TestTrainOnFullDisk fills a real (tmpfs) disk during a run: with
// evaluations only at the ends, the space runs out in a metrics.jsonl
// append. tick stops with one line saying what is kept and how to go on;
// the file holds whole lines; with space again, --resume ends the run
// exactly as one on a roomy disk.
func TestTrainOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "disk")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); train's TestFullDiskThenResume injects the same fault", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	args := func(out string) []string {
		return append([]string{"train", "--data", data, "--out", out}, append(tinyArgs, "--steps", "3000", "--eval-every", "100000", "--sample-tokens", "0")...)
	}
	straight := tick(t, dir, "", args(filepath.Join(dir, "roomy"))...)
	mustSucceed(t, straight)

	run := filepath.Join(mnt, "run")
	r := tick(t, dir, "", args(run)...)
	checkBadInput(t, r, "metrics", "no space left on device", "the last checkpoint (step 0) is kept", "--resume")
	n := stepLines(t, run)
	if len(n) == 0 || len(n) >= 3000 {
		t.Fatalf("the full disk stopped the run after %d steps; want it stopped in the middle", len(n))
	}
	if _, err := checkpoint.Load(filepath.Join(run, "last")); err != nil {
		t.Fatalf("the last checkpoint after the full disk: %v", err)
	}
	if out, err := exec.Command("mount", "-o", "remount,size=8m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, out)
	}
	b := tick(t, dir, "", append(args(run), "--resume")...)
	mustSucceed(t, b)
	if got, want := finalLine.FindStringSubmatch(lastLine(b.stdout)), finalLine.FindStringSubmatch(lastLine(straight.stdout)); got == nil || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("resumed after the full disk: %q\non a roomy disk: %q", lastLine(b.stdout), lastLine(straight.stdout))
	}
	checkEachStepOnce(t, run, 3000)
}
