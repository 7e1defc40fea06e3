//go:build !windows

package main

// The interactive stepper as a person meets it: tick generate --step runs
// on a pseudo-terminal (github.com/creack/pty), the test types keys into it
// one at a time and reads the screen. What the stepper must do is checked
// against the non-interactive runs of the same seed (the JSON trace and the
// plain text), and the terminal's mode (its termios, read with
// golang.org/x/term) is compared before, during and after.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// ptyRun is tick running on a pseudo-terminal: tty is its standard input,
// output and error, ptmx the test's end, which reads the screen and types.
type ptyRun struct {
	t         *testing.T
	cmd       *exec.Cmd
	ptmx, tty *os.File
	cancel    context.CancelFunc
	mu        sync.Mutex
	screen    bytes.Buffer // everything tick wrote, as the terminal got it
	before    *term.State  // the terminal's mode before tick started
}

func startPty(t *testing.T, dir string, args ...string) *ptyRun {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	cmd := exec.CommandContext(ctx, tickBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// A session of its own with the tty as its controlling terminal, as a
	// shell starts a program (Ctty 0: the child's standard input).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	r := &ptyRun{t: t, cmd: cmd, ptmx: ptmx, tty: tty, cancel: cancel}
	// Read before tick starts: once it runs it may already have switched
	// the terminal to raw mode.
	r.before = r.mode()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tick on the terminal: %v", err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			r.mu.Lock()
			r.screen.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return // ptmx closed by cleanup
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		ptmx.Close()
		tty.Close()
	})
	return r
}

// text is the screen so far with the terminal's \r\n as \n.
func (r *ptyRun) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.ReplaceAll(r.screen.String(), "\r\n", "\n")
}

// waitFor waits until the screen after offset from holds s and returns the
// offset just past it. tick answers a key in milliseconds; only a hang
// reaches the command timeout, and fails.
func (r *ptyRun) waitFor(s string, from int) int {
	r.t.Helper()
	deadline := time.Now().Add(cmdTimeout)
	for {
		screen := r.text()
		if i := strings.Index(screen[min(from, len(screen)):], s); i >= 0 {
			return min(from, len(screen)) + i + len(s)
		}
		if time.Now().After(deadline) {
			r.cancel()
			r.t.Fatalf("the terminal never showed %q after offset %d:\n%s", s, from, clip(screen))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// press types keys, with no Enter unless they hold one (\r, as a
// terminal's Enter key sends).
func (r *ptyRun) press(keys string) {
	r.t.Helper()
	if _, err := r.ptmx.WriteString(keys); err != nil {
		r.t.Fatalf("type %q: %v", keys, err)
	}
}

// exit waits for tick to end and returns its exit status.
func (r *ptyRun) exit() int {
	r.t.Helper()
	err := r.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	case errors.As(err, &exit):
		return -1 // killed by a signal it did not handle
	}
	r.t.Fatalf("wait for tick: %v", err)
	return -1
}

// mode is the terminal's state (its termios) as tick's terminal has it.
func (r *ptyRun) mode() *term.State {
	r.t.Helper()
	st, err := term.GetState(int(r.tty.Fd()))
	if err != nil {
		r.t.Fatalf("read the terminal's mode: %v", err)
	}
	return st
}

// checkCRLF: every line the terminal got ends in \r\n. In cooked mode the
// terminal turns \n into \r\n itself; in raw mode it does not, and a bare
// \n would leave the next line starting where the last one ended.
func (r *ptyRun) checkCRLF() {
	r.t.Helper()
	r.mu.Lock()
	raw := r.screen.String()
	r.mu.Unlock()
	if i := strings.Index(strings.ReplaceAll(raw, "\r\n", ""), "\n"); i >= 0 {
		r.t.Errorf("a bare \\n reached the terminal (raw mode needs \\r\\n):\n%q", clip(raw))
	}
}

// TestGeneratePtyStepper walks three steps on a terminal: a digit without
// Enter picks that candidate, b takes it back, Enter then takes the
// sampler's token (the one a run that never went back draws with the same
// seed), + redraws the step at a higher temperature, and q prints the text
// so far and exits 0 with the terminal as it was.
func TestGeneratePtyStepper(t *testing.T) {
	run, _, _, _ := tinyTrained(t)
	dir := t.TempDir()
	const prompt = "The"
	common := []string{"generate", "--model", run, "--prompt", prompt, "--seed", "1", "--temperature", "1"}

	// The references: step 1 as JSON, and the text one token on.
	j := tick(t, dir, "", append(common, "--max-tokens", "1", "--step", "--format", "json")...)
	mustSucceed(t, j)
	ref := parseSteps(t, j)[0]
	plain := tick(t, dir, "", append(common, "--max-tokens", "1")...)
	mustSucceed(t, plain)
	picked := ref.Candidates[2]
	if picked.ID == ref.Chosen.ID {
		t.Fatalf("the sampler's token is candidate 2 (%d): the walk could not tell a pick from Enter", picked.ID)
	}
	var ids []int
	for _, c := range ref.Candidates {
		ids = append(ids, c.ID)
	}

	r := startPty(t, dir, append(common, "--max-tokens", "5", "--step")...)
	before := r.before
	hint := "q: quit > "
	at := r.waitFor("── step 1 ", 0)
	at = r.waitFor(hint, at)
	chosen := fmt.Sprintf("chosen: %d \"", ref.Chosen.ID)
	if got := rowIDs(r.text()[:at]); !reflect.DeepEqual(got, ids) || !strings.Contains(r.text()[:at], chosen) {
		t.Errorf("step 1 shows candidates %v; the JSON trace has %v, chosen %d:\n%s", got, ids, ref.Chosen.ID, r.text()[:at])
	}
	for _, key := range []string{"b: back", "+/-: temperature", "[/]: top-k", "0-9: pick"} {
		if !strings.Contains(r.text(), key) {
			t.Errorf("the hint does not name %q:\n%s", key, r.text())
		}
	}
	if reflect.DeepEqual(r.mode(), before) {
		t.Errorf("the terminal is in its old mode while tick waits for a key: raw mode is off")
	}

	r.press("2") // no Enter
	at = r.waitFor(fmt.Sprintf("you picked 2: %d ", picked.ID), at)
	at = r.waitFor("── step 2 ", at)
	at = r.waitFor(fmt.Sprintf("context (%d tokens): ", len(prompt)+1), at)
	at = r.waitFor(hint, at)

	r.press("b")
	at = r.waitFor(fmt.Sprintf("back to step 1: %d ", picked.ID), at)
	start := r.waitFor("── step 1 ", at)
	at = r.waitFor(fmt.Sprintf("context (%d tokens): ", len(prompt)), start)
	at = r.waitFor(hint, at)
	if got := rowIDs(r.text()[start:at]); !reflect.DeepEqual(got, ids) {
		t.Errorf("back at step 1, it shows candidates %v; the JSON trace has %v", got, ids)
	}
	if !strings.Contains(r.text()[start:at], chosen) {
		t.Errorf("back at step 1, the sampler's token is not %d, the one the same seed draws without going back:\n%s", ref.Chosen.ID, r.text()[start:at])
	}

	r.press("\r") // Enter: the sampler's token, drawn with the same random number as before
	at = r.waitFor("── step 2 ", at)
	at = r.waitFor(fmt.Sprintf("context (%d tokens): ", len(prompt)+1), at)
	at = r.waitFor(hint, at)

	r.press("+")
	at = r.waitFor("from step 2 on: temperature 1.1 · top-k off\n── step 2 ", at)
	at = r.waitFor(hint, at)

	r.press("q")
	r.waitFor("── quit: 1 token ──\n"+plain.stdout, at)
	if code := r.exit(); code != 0 {
		t.Errorf("q exited %d, want 0:\n%s", code, r.text())
	}
	if after := r.mode(); !reflect.DeepEqual(after, before) {
		t.Errorf("the terminal was left in another mode than tick found it in")
	}
	r.checkCRLF()
	if crashSigns.MatchString(r.text()) {
		t.Errorf("the screen shows a crash:\n%s", r.text())
	}
}

// TestGeneratePtyEnds ends a stepping session each way but q, and checks
// the terminal is put back each time: a runs to the end (the text is the
// plain run's), Ctrl-C quits like q, a signal while tick waits for a key
// kills it the usual way (exit 128+15) after restoring the terminal.
// --candidates 12 is cut to the 10 keys 0-9, which tick says.
func TestGeneratePtyEnds(t *testing.T) {
	run, _, _, _ := tinyTrained(t)
	dir := t.TempDir()
	common := []string{"generate", "--model", run, "--prompt", "The", "--seed", "3", "--max-tokens", "6"}
	plain := tick(t, dir, "", common...)
	mustSucceed(t, plain)

	tests := []struct {
		name string
		end  func(r *ptyRun)
		code int
		show string // on the screen after the end
	}{
		{"a runs to the end", func(r *ptyRun) { r.press("a") }, 0, "running to the end:\n" + plain.stdout},
		{"Ctrl-C quits", func(r *ptyRun) { r.press("\x03") }, 0, "── quit: 0 tokens ──\nThe\n"},
		{"SIGTERM", func(r *ptyRun) { r.cmd.Process.Signal(syscall.SIGTERM) }, 128 + int(syscall.SIGTERM), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startPty(t, dir, append(common, "--step", "--candidates", "12")...)
			before := r.before
			at := r.waitFor("note: showing 10 of --candidates 12 (keys 0-9 pick them)", 0)
			start := r.waitFor("── step 1 ", at)
			at = r.waitFor("q: quit > ", start)
			if n := len(rowIDs(r.text()[start:at])); n != 10 {
				t.Errorf("%d candidates on the terminal, want 10 (the keys 0-9)", n)
			}
			if reflect.DeepEqual(r.mode(), before) {
				t.Fatalf("the terminal is in its old mode while tick waits for a key: raw mode is off")
			}
			tt.end(r)
			if code := r.exit(); code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, r.text())
			}
			if tt.show != "" {
				r.waitFor(tt.show, at)
			}
			if after := r.mode(); !reflect.DeepEqual(after, before) {
				t.Errorf("the terminal was left in another mode than tick found it in:\n%s", r.text())
			}
			r.checkCRLF()
		})
	}
}
