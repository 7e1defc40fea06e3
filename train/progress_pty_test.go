//go:build linux

package train

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/rivo/uniseg"

	"github.com/tick-llm/tick/internal/tty"
)

// openPTY opens a pseudo-terminal cols columns wide and returns its two
// ends: the terminal side a program writes to, and the side that reads what
// the program wrote. (Linux's /dev/ptmx, with the standard library only.)
func openPTY(t *testing.T, cols int) (term, reader *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	ioctl := func(f *os.File, req uintptr, arg unsafe.Pointer) {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), req, uintptr(arg)); errno != 0 {
			t.Fatalf("ioctl %#x: %v", req, errno)
		}
	}
	var unlock, n int32
	ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n))
	slave, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the terminal side of the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	size := struct{ rows, cols, x, y uint16 }{24, uint16(cols), 0, 0}
	ioctl(slave, syscall.TIOCSWINSZ, unsafe.Pointer(&size))
	return slave, master
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// TestProgressBarFitsTerminal draws the training bar on pseudo-terminals of
// several widths, as a person's terminal gets it. Every redraw must be
// narrower than the terminal: a line as wide or wider wraps, and the next redraw, going back only to the
// start of the last row, leaves a new line behind per step. No step may
// write a newline, and the loss must show from 40 columns up.
func TestProgressBarFitsTerminal(t *testing.T) {
	throttle := progressThrottle
	progressThrottle = 0 // every step redraws
	t.Cleanup(func() { progressThrottle = throttle })
	const steps, total = 60, 19999
	for _, cols := range []int{24, 40, 50, 80, 120} {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			term, reader := openPTY(t, cols)
			if !tty.Is(term) {
				t.Fatal("the pseudo-terminal does not count as a terminal")
			}
			var out bytes.Buffer
			done := make(chan struct{})
			go func() { io.Copy(&out, reader); close(done) }()

			// Steps late in a long run, whose numbers take the most room.
			first := total - steps + 1
			p := newProgress(term, first, total)
			for step := first; step <= total; step++ {
				p.step(step, 2.345, 12345)
				if step == first+steps/2 { // an evaluation prints between redraws
					p.clear()
				}
			}
			p.finish()
			term.Close() // the reader sees the end once it has read everything
			<-done

			if bytes.ContainsRune(out.Bytes(), '\n') {
				t.Errorf("the bar wrote a newline:\n%q", out.Bytes())
			}
			drawn, withLoss := 0, 0
			for _, line := range strings.Split(out.String(), "\r") {
				line = ansiEscape.ReplaceAllString(line, "")
				if strings.TrimSpace(line) == "" {
					continue
				}
				drawn++
				if w := uniseg.StringWidth(line); w >= cols {
					t.Errorf("a line of %d columns on a terminal of %d: %q", w, cols, line)
				}
				if strings.Contains(line, "loss 2.345") {
					withLoss++
				}
				if cols >= 80 && !strings.Contains(line, "tok/s") {
					t.Errorf("no tokens per second on %d columns: %q", cols, line)
				}
				last := strings.Contains(line, fmt.Sprintf("%d/%d", total, total)) // no time left to tell
				if cols >= 120 && !last && !strings.Contains(line, " left") {
					t.Errorf("no time left on %d columns: %q", cols, line)
				}
			}
			if drawn < steps {
				t.Errorf("%d drawings for %d steps, want one per step:\n%q", drawn, steps, out.Bytes())
			}
			if cols >= 40 && withLoss != drawn {
				t.Errorf("the loss shows in %d of %d drawings on %d columns", withLoss, drawn, cols)
			}
		})
	}
}
