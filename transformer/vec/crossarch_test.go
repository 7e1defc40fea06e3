package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/crossarch"
)

// kernelBits runs every kernel on seeded inputs (every length 0..80 and
// the shapes of generation, unaligned rows, strides wider than rows) and
// returns the bits of the results, one line per call.
func kernelBits() string {
	r := rand.New(rand.NewPCG(21, 22))
	var b strings.Builder
	put := func(name string, v []float32) {
		fmt.Fprintf(&b, "%s", name)
		for _, x := range v {
			fmt.Fprintf(&b, " %08x", math.Float32bits(x))
		}
		b.WriteByte('\n')
	}
	for n := 0; n <= 80; n++ {
		x, y := randoms(r, n, n%3), randoms(r, n, n%4)
		put(fmt.Sprintf("dot %d", n), []float32{Dot(x, y)})
		a := 2*r.Float32() - 1
		Axpy(a, x, y)
		put(fmt.Sprintf("axpy %d", n), y)
	}
	for _, sh := range []struct{ rows, cols, extra int }{{4, 288, 0}, {13, 77, 3}, {9, 768, 0}, {7, 17, 1}, {12, 64, 64}} {
		stride := sh.cols + sh.extra
		w := randoms(r, sh.rows*stride, 1)
		x, a := randoms(r, sh.cols, 2), randoms(r, sh.rows, 3)
		y := make([]float32, sh.rows)
		DotRows(y, w, x, stride)
		put(fmt.Sprintf("dotrows %dx%d", sh.rows, sh.cols), y)
		z := randoms(r, sh.cols, 0)
		AxpyRows(z, a, w, stride)
		put(fmt.Sprintf("axpyrows %dx%d", sh.rows, sh.cols), z)
	}
	return b.String()
}

// TestKernelBitsHelper prints kernelBits for TestSameBitsOnArm64, which
// runs it compiled for arm64 under an emulator.
func TestKernelBitsHelper(t *testing.T) {
	if os.Getenv("TICK_KERNEL_BITS") == "" {
		t.Skip("a helper: TestSameBitsOnArm64 runs it for arm64")
	}
	crossarch.Print(runtime.GOARCH+" "+Kernels(), kernelBits())
}

// TestSameBitsOnArm64: the NEON kernels (vec_arm64.s, run for arm64 under
// qemu) give the AVX2 kernels' bits for every dot, axpy and row kernel
// call of kernelBits.
func TestSameBitsOnArm64(t *testing.T) {
	if runtime.GOARCH != "amd64" || !Fast {
		t.Skip("compares the AVX2 kernels with the NEON ones: needs an amd64 CPU with AVX2")
	}
	crossarch.Compare(t, "TestKernelBitsHelper", []string{"TICK_KERNEL_BITS=1"}, "arm64 NEON assembly", kernelBits())
}
