// Package crossarch runs a package's tests compiled for arm64 under qemu's
// user-mode emulator, so that a test on an amd64 machine can compare what
// the NEON kernels compute with what the AVX2 ones compute here. (The
// emulator implements the instructions' IEEE arithmetic exactly; it says
// nothing about speed.)
package crossarch

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/goroot"
)

// Emulator is qemu's user-mode emulator of arm64 Linux programs (Debian's
// qemu-user-static, which .ci/run installs).
const Emulator = "qemu-aarch64-static"

// Output compiles the tests of the package in the current directory (a
// test's working directory is its package's) for linux/arm64, runs the
// test named run under the emulator with env added to its environment, and
// returns what it printed. Without the emulator it skips the test, except
// under CI, where it fails: there the comparison must run.
func Output(t testing.TB, run string, env ...string) []byte {
	t.Helper()
	qemu, err := exec.LookPath(Emulator)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed, and CI must compare the arm64 kernels: apt-get install qemu-user-static", Emulator)
		}
		t.Skipf("%s is not installed (apt-get install qemu-user-static): the arm64 kernels are not compared", Emulator)
	}
	root, err := goroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "arm64.test")
	build := exec.Command(filepath.Join(root, "bin", "go"), "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the tests for arm64: %v\n%s", err, out)
	}
	cmd := exec.Command(qemu, bin, "-test.run", "^"+run+"$", "-test.count", "1")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running %s for arm64 under %s: %v\n%s%s", run, Emulator, err, out, stderr.Bytes())
	}
	return out
}

// Print writes what a helper test computed, for Compare: a header line
// (what ran: the architecture and its kernels), then the results, one per
// line, between markers that the test binary's own output cannot fake.
func Print(header, results string) {
	fmt.Printf("BEGIN %s\n%sEND\n", header, results)
}

// Compare runs the helper test named run for arm64 (Output, with env) and
// checks that it printed (Print) the header wantHeader and the results
// want, line by line; it reports the first lines that differ.
func Compare(t testing.TB, run string, env []string, wantHeader, want string) {
	t.Helper()
	out := Output(t, run, env...)
	begin, end := bytes.Index(out, []byte("BEGIN ")), bytes.Index(out, []byte("\nEND\n"))
	if begin < 0 || end < begin {
		t.Fatalf("the arm64 run of %s printed no results:\n%s", run, out)
	}
	header, body, _ := strings.Cut(string(out[begin+len("BEGIN "):end+1]), "\n")
	if header != wantHeader {
		t.Fatalf("the arm64 run says it ran %q, want %q", header, wantHeader)
	}
	got, wantLines := strings.Split(body, "\n"), strings.Split(want, "\n")
	if len(got) != len(wantLines) {
		t.Fatalf("arm64 printed %d results, this machine %d", len(got), len(wantLines))
	}
	bad := 0
	for i := range wantLines {
		if got[i] != wantLines[i] {
			t.Errorf("arm64 and %s differ:\n  arm64: %.200s\n  %s: %.200s", runtime.GOARCH, got[i], runtime.GOARCH, wantLines[i])
			if bad++; bad == 5 {
				t.Fatalf("and more")
			}
		}
	}
}
