// Package transformer is a small decoder-only transformer, GPT-2 style or
// Llama 3 style by configuration, written to be read: float64 gonum
// matrices, every layer's forward and hand-derived backward side by side in
// its own file, and every intermediate kept for inspection.
//
// The layers are generic over float32 | float64: one code for both
// precisions. A model computes in float64 by default (what the gradient
// checks use); SetCompute(Float32) is mixed precision as real trainers run
// it (precision.go): float64 master weights, gradients and optimiser, the
// arithmetic of Forward and Backward in float32, every public reader still
// float64. tick train computes in float32.
//
// The switches that separate the two families (Config):
//
//	           GPT-2                   Llama 3
//	norm       LayerNorm (layernorm.go) RMSNorm (rmsnorm.go)
//	positions  learned table            RoPE (rope.go)
//	MLP        GELU (mlp_gelu.go)       SwiGLU (mlp_swiglu.go)
//	attention  multi-head               grouped-query (attention.go)
//	biases     yes                      no
//	head       tied to the embedding    separate
//
// A training step is ZeroGrad, Forward (loss), Backward (gradients into
// Param.Grad) and an optimiser update of Param.Value; the gradients are
// checked against finite differences in gradcheck_test.go. Generation runs
// one token at a time through a Cache of keys and values (cache.go), in
// float64 or, as tick generate does, in float32 on the vector kernels of
// package vec with the products cut over every core (cache32.go).
// Attention and the single-token pass each have a plain version, loops as
// llm.c writes them (attention.go, cache_plain.go), beside the fast BLAS
// one, with a test that the two agree: read the plain one first. So do
// the norms: float32 LayerNorm and RMSNorm run in internal/normf32 (AVX2,
// row sums in 8 float64 lanes), tested against layernorm.go and rmsnorm.go.
// Save and Load use config.json and model.safetensors with Hugging Face
// tensor names.
//
// Matrix products go through gonum's BLAS interface: pure Go by default,
// OpenBLAS with the build tag openblas (see Backend). Attention and the
// element-wise layers run on several goroutines with a fixed split of the
// work, so results do not depend on the number of cores.
package transformer
