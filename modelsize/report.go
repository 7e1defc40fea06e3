package modelsize

import (
	"fmt"
	"io"
	"strings"
)

// Report is everything `tick model` prints, in numbers (--format json).
type Report struct {
	Shape      Shape  `json:"shape"`
	Counts     Counts `json:"parameters_by_component"`
	Parameters int64  `json:"parameters"`

	// Bytes of the weights. Int8 is one byte per weight (scales left
	// out); NF4 is 4 bits per weight plus one float32 scale per block of
	// 64 weights (bitsandbytes' NF4 without double quantisation), for every
	// weight, embeddings and norms included.
	BytesF32  int64 `json:"bytes_float32"`
	BytesBF16 int64 `json:"bytes_bf16"`
	BytesInt8 int64 `json:"bytes_int8"`
	BytesNF4  int64 `json:"bytes_nf4"`

	// KV cache in bf16: keys and values of every layer for one token, and
	// for a full context; the same without grouped-query attention (one KV
	// head per query head).
	KVBytesPerToken      int64 `json:"kv_bytes_per_token"`
	KVBytesContext       int64 `json:"kv_bytes_full_context"`
	KVBytesPerTokenNoGQA int64 `json:"kv_bytes_per_token_without_gqa"`
	KVBytesContextNoGQA  int64 `json:"kv_bytes_full_context_without_gqa"`

	// FLOPs of a forward pass for one token: 2 per weight of every matrix
	// it multiplies by (attention, MLP and the head: the embedding lookup
	// is not a product; a tied head still multiplies), plus attention's
	// scores and weighted sum, 4·layers·t·heads·head size at position t,
	// given here at the last position of a full context.
	FLOPsWeights   float64 `json:"flops_per_token_weights"`
	FLOPsAttention float64 `json:"flops_per_token_attention_full_context"`

	// TrainFLOPs is 6·N·D (forward 2·N, backward 4·N per token, over D
	// tokens) on the published token count; 0 if there is none.
	TrainFLOPs float64 `json:"pretraining_flops"`
}

// Measure computes the report of s.
func Measure(s Shape) Report {
	c := s.Count()
	n := c.Total()
	r := Report{Shape: s, Counts: c, Parameters: n,
		BytesF32: 4 * n, BytesBF16: 2 * n, BytesInt8: n, BytesNF4: (n+1)/2 + 4*((n+63)/64)}
	kv := func(heads int) int64 { return 2 * int64(s.Layers) * int64(heads) * int64(s.HeadSize) * 2 }
	r.KVBytesPerToken, r.KVBytesPerTokenNoGQA = kv(s.KVHeads), kv(s.Heads)
	r.KVBytesContext, r.KVBytesContextNoGQA = r.KVBytesPerToken*int64(s.Context), r.KVBytesPerTokenNoGQA*int64(s.Context)
	matmul := c.Attention + c.MLP + int64(s.Vocab)*int64(s.Dim)
	r.FLOPsWeights = 2 * float64(matmul)
	r.FLOPsAttention = 4 * float64(s.Layers) * float64(s.Context) * float64(s.Heads) * float64(s.HeadSize)
	r.TrainFLOPs = 6 * float64(n) * s.TrainTokens
	return r
}

// WriteText prints the report for people, in lines that fit 80 columns.
func (r Report) WriteText(w io.Writer) error {
	s := r.Shape
	var b strings.Builder
	name := s.Name
	if s.Description != "" {
		name += " — " + s.Description
	}
	fmt.Fprintf(&b, "model: %s\n", name)
	gqa := ""
	if s.KVHeads != s.Heads {
		gqa = fmt.Sprintf(", %d KV heads", s.KVHeads)
	}
	fmt.Fprintf(&b, "shape: %d layers, dim %d, %d heads of %d%s, MLP %d, vocab %d, context %d\n",
		s.Layers, s.Dim, s.Heads, s.HeadSize, gqa, s.FFDim, s.Vocab, s.Context)
	n := float64(r.Parameters)
	row := func(label string, v int64, note string) {
		fmt.Fprintf(&b, "  %-11s %15s %6.2f%%%s\n", label, commas(v), 100*float64(v)/n, note)
	}
	b.WriteString("parameters by component:\n")
	emb := ""
	if s.LearnedPositions {
		emb = "  tokens + positions"
	}
	row("embeddings", r.Counts.Embeddings, emb)
	row("attention", r.Counts.Attention, "")
	row("MLP", r.Counts.MLP, "")
	row("norms", r.Counts.Norms, "")
	head := ""
	if s.TiedHead {
		head = "  tied: the head is the embedding table"
	}
	row("head", r.Counts.Head, head)
	fmt.Fprintf(&b, "parameters: %s (%s)\n", commas(r.Parameters), short(n))
	fmt.Fprintf(&b, "weights: float32 %s, bf16 %s, int8 %s, 4-bit %s\n", bytesStr(r.BytesF32), bytesStr(r.BytesBF16), bytesStr(r.BytesInt8), bytesStr(r.BytesNF4))
	b.WriteString("  (4-bit: NF4, 4 bits per weight + a float32 scale per 64 weights; int8: no scales)\n")
	fmt.Fprintf(&b, "KV cache (bf16): %s per token, %s at %d tokens\n", bytesStr(r.KVBytesPerToken), bytesStr(r.KVBytesContext), s.Context)
	if s.KVHeads != s.Heads {
		fmt.Fprintf(&b, "  without grouped-query attention (%d KV heads): %s per token, %s\n", s.Heads, bytesStr(r.KVBytesPerTokenNoGQA), bytesStr(r.KVBytesContextNoGQA))
	} else {
		b.WriteString("  no grouped-query attention: one KV head per query head\n")
	}
	fmt.Fprintf(&b, "FLOPs per token: %s (2 per weight of its matrices, head included)\n", flops(r.FLOPsWeights))
	fmt.Fprintf(&b, "  + attention at position %d: %s (4·layers·position·heads·head size)\n", s.Context, flops(r.FLOPsAttention))
	if r.TrainFLOPs > 0 {
		fmt.Fprintf(&b, "pretraining: 6·N·D = 6 × %s × %s tokens = %.2e FLOPs\n  (%s)\n", short(n), short(s.TrainTokens), r.TrainFLOPs, s.TrainTokensSource)
	} else {
		fmt.Fprintf(&b, "pretraining: 6·N·D = %.2e FLOPs per training token\n  (tokens %s)\n", 6*n, s.TrainTokensSource)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// commas writes n with thousands separators: 8,030,261,248.
func commas(n int64) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// short writes a count as 8.03B, 124M, 15T.
func short(x float64) string {
	for _, u := range []struct {
		v float64
		s string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if x >= u.v {
			return fmt.Sprintf("%.3g%s", x/u.v, u.s)
		}
	}
	return fmt.Sprintf("%.0f", x)
}

// bytesStr writes a byte count in binary units: 15.0 GiB.
func bytesStr(n int64) string {
	x := float64(n)
	for _, u := range []struct {
		v float64
		s string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if x >= u.v {
			return fmt.Sprintf("%.1f %s", x/u.v, u.s)
		}
	}
	return fmt.Sprintf("%d B", n)
}

func flops(x float64) string {
	for _, u := range []struct {
		v float64
		s string
	}{{1e12, "TFLOP"}, {1e9, "GFLOP"}, {1e6, "MFLOP"}, {1e3, "kFLOP"}} {
		if x >= u.v {
			return fmt.Sprintf("%.3g %s", x/u.v, u.s)
		}
	}
	return fmt.Sprintf("%.0f FLOP", x)
}
