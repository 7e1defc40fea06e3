package transformer

import (
	"math"

	"gonum.org/v1/gonum/blas"

	"github.com/tick-llm/tick/transformer/internal/exp32"
)

// attnShape is the geometry of one causal self-attention layer with
// grouped-query attention: H query heads share KVH key/value heads, query
// head h reading key/value head h/(H/KVH). Each row of the fused qkv buffer
// (B*T x (H+2·KVH)·hs) holds [q heads | k heads | v heads].
type attnShape struct {
	B, T, H, KVH, hs int
}

// attnShape is the attention geometry of the model for a (B, T) batch.
func (c Config) attnShape(B, T int) attnShape {
	return attnShape{B: B, T: T, H: c.Heads, KVH: c.KVHeads, hs: c.HeadSize()}
}

func (s attnShape) qkvWidth() int    { return (s.H + 2*s.KVH) * s.hs }
func (s attnShape) qCol(h int) int   { return h * s.hs }
func (s attnShape) kCol(g int) int   { return (s.H + g) * s.hs }
func (s attnShape) vCol(g int) int   { return (s.H + s.KVH + g) * s.hs }
func (s attnShape) kvHead(h int) int { return h / (s.H / s.KVH) }

// Causal attention, per batch row b and query head h with its key/value head g:
// forward:  S = Q·Kᵀ/√hs (T x T), P = softmax(S) over keys j <= t (0 above the diagonal), Y = P·V
// backward: dP = dY·Vᵀ, dV += Pᵀ·dY, dS = P⊙(dP - Σ_j P⊙dP), dQ += dS·K/√hs, dK += dSᵀ·Q/√hs
// qkv (B*T x qkvWidth), att (B*H x T x T), y (B*T x H·hs).
//
// Two versions of each pass follow: the plain one, loops over (b, t, h) as
// llm.c's attention_forward and attention_backward write them, to read
// first; then the fast one, the same arithmetic as whole-matrix BLAS
// products per (b, h), run on several goroutines. A test checks they agree.

// attentionForwardPlain fills att and y like attentionForward, one query
// row (b, t, h) at a time.
func attentionForwardPlain(att, y, qkv []float64, s attnShape) {
	T, H, KVH, hs := s.T, s.H, s.KVH, s.hs
	w := (H + 2*KVH) * hs // a row of qkv: [H query heads | KVH key heads | KVH value heads]
	scale := 1 / math.Sqrt(float64(hs))
	for b := 0; b < s.B; b++ {
		for t := 0; t < T; t++ {
			for h := 0; h < H; h++ {
				g := h / (H / KVH)                // the key/value head of query head h
				q := qkv[(b*T+t)*w+h*hs:][:hs]    // query of (b, t, h)
				p := att[((b*H+h)*T+t)*T:][:T]    // its weights over the positions
				out := y[(b*T+t)*H*hs+h*hs:][:hs] // its output

				attendPlain(p, out, q, t, scale,
					func(j int) []float64 { return qkv[(b*T+j)*w+H*hs+g*hs:][:hs] },       // key of position j: after the H query heads
					func(j int) []float64 { return qkv[(b*T+j)*w+(H+KVH)*hs+g*hs:][:hs] }) // value of position j: after the keys
			}
		}
	}
}

// attendPlain is one query's attention over positions 0..t, in the four
// passes of llm.c's attention_forward: p_j = softmax_j(q·k_j·scale) for
// j <= t (0 after t, up to len(p)), then out = Σ_j p_j·v_j. key(j) and
// value(j) are position j's key and value.
func attendPlain(p, out, q []float64, t int, scale float64, key, value func(j int) []float64) {
	// pass 1: scores p_j = q·k_j·scale for j <= t, and their maximum
	maxval := math.Inf(-1)
	for j := 0; j <= t; j++ {
		k := key(j)
		dot := 0.0
		for i := range q {
			dot += q[i] * k[i]
		}
		p[j] = dot * scale
		maxval = max(maxval, p[j])
	}
	// pass 2: exponentials (shifted by the maximum, so none overflows) and their sum
	sum := 0.0
	for j := 0; j <= t; j++ {
		p[j] = math.Exp(p[j] - maxval)
		sum += p[j]
	}
	// pass 3: normalise to the softmax; the future gets weight 0
	for j := range p {
		if j <= t {
			p[j] /= sum
		} else {
			p[j] = 0
		}
	}
	// pass 4: out = Σ_j p_j·v_j
	clear(out)
	for j := 0; j <= t; j++ {
		v := value(j)
		for i := range out {
			out[i] += p[j] * v[i]
		}
	}
}

// attentionBackwardPlain adds the gradients of q, k and v into dqkv like
// attentionBackward, undoing attentionForwardPlain's passes in reverse
// order for one query row (b, t, h) at a time.
func attentionBackwardPlain(dqkv, dy, att, qkv []float64, s attnShape) {
	T, H, KVH, hs := s.T, s.H, s.KVH, s.hs
	w := (H + 2*KVH) * hs
	scale := 1 / math.Sqrt(float64(hs))
	datt := make([]float64, T)    // ∂L/∂p_j of one row
	dscores := make([]float64, T) // ∂L/∂(q·k_j/√hs) of one row
	for b := 0; b < s.B; b++ {
		for t := 0; t < T; t++ {
			for h := 0; h < H; h++ {
				g := h / (H / KVH)
				qc := (b*T+t)*w + h*hs
				q, dq := qkv[qc:][:hs], dqkv[qc:][:hs]
				p := att[((b*H+h)*T+t)*T:][:T]
				dout := dy[(b*T+t)*H*hs+h*hs:][:hs]
				clear(datt)
				clear(dscores)

				// pass 4 backward: out = Σ_j p_j·v_j
				for j := 0; j <= t; j++ {
					vc := (b*T+j)*w + (H+KVH)*hs + g*hs // value of position j
					v, dv := qkv[vc:][:hs], dqkv[vc:][:hs]
					for i := range hs {
						datt[j] += v[i] * dout[i]
						dv[i] += p[j] * dout[i]
					}
				}
				// passes 2 and 3 backward, the softmax: ∂p_j/∂score_k = p_j·(δ_jk - p_k)
				for j := 0; j <= t; j++ {
					for k := 0; k <= t; k++ {
						indicator := 0.0
						if j == k {
							indicator = 1
						}
						dscores[k] += p[j] * (indicator - p[k]) * datt[j]
					}
				}
				// pass 1 backward: score_j = q·k_j/√hs
				for j := 0; j <= t; j++ {
					kc := (b*T+j)*w + H*hs + g*hs // key of position j
					k, dk := qkv[kc:][:hs], dqkv[kc:][:hs]
					for i := range hs {
						dq[i] += k[i] * dscores[j] * scale
						dk[i] += q[i] * dscores[j] * scale
					}
				}
			}
		}
	}
}

// band names the part of one head's product that causal attention needs,
// transformer/gemm's Band: the pure-Go build skips the rest, the OpenBLAS
// build computes the whole product (mmBand).
type band uint8

const (
	lowerC band = iota + 1 // only C[i,j] for j ≤ i is read: scores, dP
	lowerA                 // op(A)[i,p] = 0 for p > i: P·v, dS·k
	upperA                 // op(A)[i,p] = 0 for p < i: Pᵀ·dY, dSᵀ·q
)

// attentionForward fills att with the softmax weights of every (b, h) and y
// with the attention output. Units (b, h) are independent: parallel.
func attentionForward[F float](att, y, qkv []F, s attnShape, workers int) {
	T, hs, w := s.T, s.hs, s.qkvWidth()
	scale := F(1 / math.Sqrt(float64(hs)))
	parallelFor(s.B*s.H, workers, func(_, u int) {
		b, h := u/s.H, u%s.H
		g := s.kvHead(h)
		base := qkv[b*T*w:]
		q := gen(base[s.qCol(h):], T, hs, w)
		k := gen(base[s.kCol(g):], T, hs, w)
		v := gen(base[s.vCol(g):], T, hs, w)
		p := att[u*T*T : (u+1)*T*T]
		mmBand(lowerC, blas.NoTrans, blas.Trans, scale, q, k, 0, gen(p, T, T, T)) // the future is masked
		for t := 0; t < T; t++ {
			causalSoftmax(p[t*T:(t+1)*T], t)
		}
		mmBand(lowerA, blas.NoTrans, blas.NoTrans, 1, gen(p, T, T, T), v, 0,
			gen(y[b*T*s.H*hs+h*hs:], T, hs, s.H*hs))
	})
}

// causalSoftmax turns the scores row[0..t] into probabilities and zeroes
// the future row[t+1:].
func causalSoftmax[F float](row []F, t int) {
	softmax(row[:t+1], row[:t+1])
	clear(row[t+1:])
}

// softmaxBackwardRow is the backward of a softmax row p in place on its
// gradient d: d_j = p_j·(d_j − Σ_k p_k·d_k), the sum in float64 (in
// float32 by exp32.SoftmaxBackward: eight float64 lanes in a fixed order).
func softmaxBackwardRow[F float](p, d []F) {
	if p32, ok := any(p).([]float32); ok {
		exp32.SoftmaxBackward(p32, any(d).([]float32))
		return
	}
	dot := 0.0
	for j, pv := range p {
		dot += float64(pv) * float64(d[j])
	}
	for j, pv := range p {
		d[j] = F(float64(pv) * (float64(d[j]) - dot))
	}
}

// attentionBackward adds the gradients of q, k and v into dqkv given dy.
// Units are (b, g): all query heads of one key/value head, so every unit
// writes its own columns of dqkv and dK, dV sum over the group's heads in
// a fixed order. scratch[worker] holds T x T floats. The softmax's row
// sums Σ_j P⊙dP are float64 in both precisions.
func attentionBackward[F float](dqkv, dy, att, qkv []F, scratch [][]F, s attnShape, workers int) {
	T, hs, w := s.T, s.hs, s.qkvWidth()
	scale := F(1 / math.Sqrt(float64(hs)))
	group := s.H / s.KVH
	parallelFor(s.B*s.KVH, workers, func(worker, u int) {
		b, g := u/s.KVH, u%s.KVH
		base := qkv[b*T*w:]
		dbase := dqkv[b*T*w:]
		k := gen(base[s.kCol(g):], T, hs, w)
		v := gen(base[s.vCol(g):], T, hs, w)
		dk := gen(dbase[s.kCol(g):], T, hs, w)
		dv := gen(dbase[s.vCol(g):], T, hs, w)
		dp := scratch[worker][:T*T]
		for h := g * group; h < (g+1)*group; h++ {
			q := gen(base[s.qCol(h):], T, hs, w)
			dq := gen(dbase[s.qCol(h):], T, hs, w)
			p := gen(att[(b*s.H+h)*T*T:], T, T, T)
			dY := gen(dy[b*T*s.H*hs+h*hs:], T, hs, s.H*hs)
			mmBand(lowerC, blas.NoTrans, blas.Trans, 1, dY, v, 0, gen(dp, T, T, T))
			mmBand(upperA, blas.Trans, blas.NoTrans, 1, p, dY, 1, dv)
			for t := 0; t < T; t++ {
				softmaxBackwardRow(p.Data[t*T:t*T+t+1], dp[t*T:t*T+t+1])
				clear(dp[t*T+t+1 : (t+1)*T])
			}
			ds := gen(dp, T, T, T)
			mmBand(lowerA, blas.NoTrans, blas.NoTrans, scale, ds, k, 1, dq)
			mmBand(upperA, blas.Trans, blas.NoTrans, scale, ds, q, 1, dk)
		}
	})
}
