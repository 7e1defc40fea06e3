package vec

import "golang.org/x/sys/cpu"

// Fast reports whether the kernels run in assembly (vec_amd64.s, which
// needs AVX2 and FMA; otherwise the plain Go loops). It is set from the
// CPU at start-up; a test may turn it off to run the plain loops.
var Fast = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// asmName names the assembly kernels, for Kernels.
const asmName = "AVX2+FMA assembly"
