package gemm

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/crossarch"
)

// productBits runs Dgemm and Sgemm (and their parallel forms) with the
// kernels this CPU runs on seeded problems (every transpose, beta 0 and
// not, partial tiles, k across kc, n across nc, padded strides) and
// returns one line per product: its shape and a hash of the bits of C.
func productBits() string {
	var b strings.Builder
	shapes := [][3]int{{64, 64, 32}, {37, 19, 41}, {150, 96, 300}, {6, 16, 1}, {13, 64, 520}, {20, 2100, 9}, {1, 1, 1}}
	productBitsOf(&b, dgemmFuncs, shapes)
	productBitsOf(&b, sgemmFuncs, shapes)
	return b.String()
}

func productBitsOf[T float](b *strings.Builder, f typed[T], shapes [][3]int) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range shapes {
		for _, tA := range transposes {
			for _, tB := range transposes {
				for _, beta := range []float64{0, 1.5} {
					p := newProblem[T](rng, tA, tB, s[0], s[1], s[2], 2, 0.75, beta)
					for _, workers := range []int{1, 2} {
						c := append([]T(nil), p.c...)
						f.parallel(workers, tA, tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
						h := fnv.New64a()
						for i := range p.m {
							for _, x := range c[i*p.ldc : i*p.ldc+p.n] {
								fmt.Fprintf(h, "%x,", bits(x))
							}
						}
						fmt.Fprintf(b, "%s %dx%dx%d %c%c beta %g workers %d: %016x\n", f.name, s[0], s[1], s[2], tA, tB, beta, workers, h.Sum64())
					}
				}
			}
		}
	}
}

// TestProductBitsHelper prints productBits for TestSameBitsOnArm64, which
// runs it compiled for arm64 under an emulator.
func TestProductBitsHelper(t *testing.T) {
	if os.Getenv("TICK_PRODUCT_BITS") == "" {
		t.Skip("a helper: TestSameBitsOnArm64 runs it for arm64")
	}
	crossarch.Print(runtime.GOARCH+" "+best64.name+" "+best32.name, productBits())
}

// TestSameBitsOnArm64: the NEON kernels (run for arm64 under qemu) give
// every product of productBits the bits the AVX2 (or AVX-512) kernels give
// here.
func TestSameBitsOnArm64(t *testing.T) {
	if runtime.GOARCH != "amd64" || !haveAVX2 {
		t.Skip("compares the AVX2 kernels with the NEON ones: needs an amd64 CPU with AVX2")
	}
	crossarch.Compare(t, "TestProductBitsHelper", []string{"TICK_PRODUCT_BITS=1"}, "arm64 go-neon go-neon", productBits())
}
