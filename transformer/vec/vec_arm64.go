package vec

// Fast reports whether the kernels run in assembly (vec_arm64.s; NEON is
// part of every 64-bit ARM CPU Go runs on, so it starts true). A test may
// turn it off to run the plain Go loops.
var Fast = true

// asmName names the assembly kernels, for Kernels.
const asmName = "NEON assembly"
