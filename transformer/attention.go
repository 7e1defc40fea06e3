package transformer

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// attnShape is the geometry of one causal self-attention layer with
// grouped-query attention: H query heads share KVH key/value heads, query
// head h reading key/value head h/(H/KVH). Each row of the fused qkv buffer
// (B*T x (H+2·KVH)·hs) holds [q heads | k heads | v heads].
type attnShape struct {
	B, T, H, KVH, hs int
}

func (s attnShape) qkvWidth() int  { return (s.H + 2*s.KVH) * s.hs }
func (s attnShape) qCol(h int) int { return h * s.hs }
func (s attnShape) kCol(g int) int { return (s.H + g) * s.hs }
func (s attnShape) vCol(g int) int { return (s.H + s.KVH + g) * s.hs }

// Causal attention, per batch row b and query head h with its key/value head g:
// forward:  S = Q·Kᵀ/√hs (T x T), P = softmax(S) over keys j <= t (0 above the diagonal), Y = P·V
// backward: dP = dY·Vᵀ, dV += Pᵀ·dY, dS = P⊙(dP - Σ_j P⊙dP), dQ += dS·K/√hs, dK += dSᵀ·Q/√hs
// qkv (B*T x qkvWidth), att (B*H x T x T), y (B*T x H·hs).

// attentionForward fills att with the softmax weights of every (b, h) and y
// with the attention output. Units (b, h) are independent: parallel.
func attentionForward(att, y, qkv []float64, s attnShape, workers int) {
	T, hs, w := s.T, s.hs, s.qkvWidth()
	scale := 1 / math.Sqrt(float64(hs))
	parallelFor(s.B*s.H, workers, func(_, u int) {
		b, h := u/s.H, u%s.H
		g := h / (s.H / s.KVH)
		base := qkv[b*T*w:]
		q := general(base[s.qCol(h):], T, hs, w)
		k := general(base[s.kCol(g):], T, hs, w)
		v := general(base[s.vCol(g):], T, hs, w)
		p := att[u*T*T : (u+1)*T*T]
		blas64.Gemm(blas.NoTrans, blas.Trans, scale, q, k, 0, general(p, T, T, T))
		for t := 0; t < T; t++ {
			causalSoftmax(p[t*T:(t+1)*T], t)
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, general(p, T, T, T), v, 0,
			general(y[b*T*s.H*hs+h*hs:], T, hs, s.H*hs))
	})
}

// causalSoftmax turns the scores row[0..t] into probabilities and zeroes
// the future row[t+1:].
func causalSoftmax(row []float64, t int) {
	m := math.Inf(-1)
	for _, v := range row[:t+1] {
		if v > m {
			m = v
		}
	}
	sum := 0.0
	for j := 0; j <= t; j++ {
		e := math.Exp(row[j] - m)
		row[j] = e
		sum += e
	}
	inv := 1 / sum
	for j := 0; j <= t; j++ {
		row[j] *= inv
	}
	clear(row[t+1:])
}

// attentionBackward adds the gradients of q, k and v into dqkv given dy.
// Units are (b, g): all query heads of one key/value head, so every unit
// writes its own columns of dqkv and dK, dV sum over the group's heads in
// a fixed order. scratch[worker] holds T x T floats.
func attentionBackward(dqkv, dy, att, qkv []float64, scratch [][]float64, s attnShape, workers int) {
	T, hs, w := s.T, s.hs, s.qkvWidth()
	scale := 1 / math.Sqrt(float64(hs))
	group := s.H / s.KVH
	parallelFor(s.B*s.KVH, workers, func(worker, u int) {
		b, g := u/s.KVH, u%s.KVH
		base := qkv[b*T*w:]
		dbase := dqkv[b*T*w:]
		k := general(base[s.kCol(g):], T, hs, w)
		v := general(base[s.vCol(g):], T, hs, w)
		dk := general(dbase[s.kCol(g):], T, hs, w)
		dv := general(dbase[s.vCol(g):], T, hs, w)
		dp := scratch[worker][:T*T]
		for h := g * group; h < (g+1)*group; h++ {
			q := general(base[s.qCol(h):], T, hs, w)
			dq := general(dbase[s.qCol(h):], T, hs, w)
			p := general(att[(b*s.H+h)*T*T:], T, T, T)
			dY := general(dy[b*T*s.H*hs+h*hs:], T, hs, s.H*hs)
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, dY, v, 0, general(dp, T, T, T))
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, p, dY, 1, dv)
			for t := 0; t < T; t++ {
				pr := p.Data[t*T : t*T+t+1]
				dr := dp[t*T : t*T+t+1]
				dot := 0.0
				for j, pv := range pr {
					dot += pv * dr[j]
				}
				for j, pv := range pr {
					dr[j] = pv * (dr[j] - dot)
				}
				clear(dp[t*T+t+1 : (t+1)*T])
			}
			ds := general(dp, T, T, T)
			blas64.Gemm(blas.NoTrans, blas.NoTrans, scale, ds, k, 1, dq)
			blas64.Gemm(blas.Trans, blas.NoTrans, scale, ds, q, 1, dk)
		}
	})
}
