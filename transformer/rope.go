package transformer

import "math"

// Rotary position embedding (RoPE), Hugging Face "rotate_half" layout: in
// each head of width hs, element i pairs with element i+hs/2 and the pair
// turns by the angle pos·θ^(-2i/hs):
// forward:  (x1, x2) ← (x1·cos - x2·sin, x2·cos + x1·sin)
// backward: (d1, d2) ← (d1·cos + d2·sin, d2·cos - d1·sin)   (the inverse rotation)
// Queries and keys are rotated in place; values are not. In float32 the
// tables are the float64 ones rounded (Model.cos32, sin32).

// ropeTables returns cos and sin of every (position, frequency) pair,
// each (context x hs/2), the frequencies scaled as Llama 3.1 does when
// scaling is not nil.
func ropeTables(context, hs int, theta float64, scaling *RopeScaling) (cos, sin []float64) {
	half := hs / 2
	freqs := make([]float64, half)
	for i := range freqs {
		freqs[i] = math.Pow(theta, -float64(2*i)/float64(hs))
		if scaling != nil {
			freqs[i] = scaling.scale(freqs[i])
		}
	}
	cos = make([]float64, context*half)
	sin = make([]float64, context*half)
	for p := 0; p < context; p++ {
		for i, freq := range freqs {
			s, c := math.Sincos(float64(p) * freq)
			cos[p*half+i], sin[p*half+i] = c, s
		}
	}
	return cos, sin
}

// scale is Llama 3's rule for one frequency f (Hugging Face's
// _compute_llama3_parameters), by its wavelength λ = 2π/f:
//
//	λ < L/high:  f                                   (fast rotations, local order: kept)
//	λ > L/low:   f/factor                            (slow rotations: stretched to the longer context)
//	otherwise:   (1-s)·f/factor + s·f, s = (L/λ - low)/(high - low)
//
// with L the context the model was first trained on.
func (r *RopeScaling) scale(f float64) float64 {
	L := float64(r.OriginalContext)
	wavelen := 2 * math.Pi / f
	switch {
	case wavelen < L/r.HighFreqFactor:
		return f
	case wavelen > L/r.LowFreqFactor:
		return f / r.Factor
	}
	s := (L/wavelen - r.LowFreqFactor) / (r.HighFreqFactor - r.LowFreqFactor)
	return (1-s)*f/r.Factor + s*f
}

// ropeRow rotates nHeads consecutive heads of width hs in x, all at
// position pos; inverse turns the other way (the backward pass).
func ropeRow[F float](x []F, pos, nHeads, hs int, cos, sin []F, inverse bool) {
	half := hs / 2
	c := cos[pos*half : (pos+1)*half]
	s := sin[pos*half : (pos+1)*half]
	for h := 0; h < nHeads; h++ {
		x1 := x[h*hs : h*hs+half]
		x2 := x[h*hs+half : (h+1)*hs]
		for i := range x1 {
			a, b := x1[i], x2[i]
			if inverse {
				x1[i], x2[i] = a*c[i]+b*s[i], b*c[i]-a*s[i]
			} else {
				x1[i], x2[i] = a*c[i]-b*s[i], b*c[i]+a*s[i]
			}
		}
	}
}

// rope rotates the first nHeads heads of each of the n rows of qkv (rows
// stride apart, row r at position r mod t): the query and key heads, which
// lie side by side at the start of the row.
func rope[F float](qkv []F, n, t, stride, nHeads, hs int, cos, sin []F, inverse bool) {
	for r := 0; r < n; r++ {
		ropeRow(qkv[r*stride:r*stride+nHeads*hs], r%t, nHeads, hs, cos, sin, inverse)
	}
}
