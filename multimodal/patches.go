package multimodal

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/tick-llm/tick/transformer"
)

// Patches as tokens, as in ViT and the vision side of GPT-4o: the image is
// cut into square patches, each patch's pixels are flattened into one
// vector, and a learned linear layer turns that vector into a vector of the
// model's width, as a token's embedding row would be. A learned embedding
// of the patch's place in the image is added, and the patches, in reading
// order, are the first positions of the sequence the decoder reads.

// PatchSide is the side of a patch in pixels.
const PatchSide = 4

// PatchesPerSide is the number of patches along a side of the image.
const PatchesPerSide = Side / PatchSide

// NumPatches is the number of patches of an image: its first positions.
const NumPatches = PatchesPerSide * PatchesPerSide

// PatchSize is the length of a flattened patch: PatchSide² pixels x RGB.
const PatchSize = PatchSide * PatchSide * 3

// Patches cuts the image into NumPatches patches in reading order and
// flattens each, rows of pixels top to bottom and R, G, B within a pixel,
// into dst (NumPatches x PatchSize, row-major).
func Patches(dst []float64, img *Image) {
	for p := range NumPatches {
		py, px := p/PatchesPerSide, p%PatchesPerSide
		row := dst[p*PatchSize : (p+1)*PatchSize]
		i := 0
		for y := py * PatchSide; y < (py+1)*PatchSide; y++ {
			for x := px * PatchSide; x < (px+1)*PatchSide; x++ {
				copy(row[i:i+3], img.Pix[(y*Side+x)*3:][:3])
				i += 3
			}
		}
	}
}

// Projector turns patches into input vectors of width D:
//
// forward:  e[b,p] = patch[b,p]·W + bias + pos[p]
// backward: dW += Σ_{b,p} patch[b,p]ᵀ·de[b,p]; dbias += Σ_{b,p} de[b,p]; dpos[p] += Σ_b de[b,p]
//
// patch (B·NumPatches x PatchSize), e and de (B·NumPatches x D),
// W (PatchSize x D), bias (D), pos (NumPatches x D).
type Projector struct {
	W, Bias, Pos *transformer.Param
	D            int
}

// NewProjector returns a projector to width d, W and pos drawn from
// N(0, 0.02²) (the decoder's initialisation) with seed, the bias 0.
func NewProjector(d int, seed uint64) *Projector {
	rng := rand.New(rand.NewPCG(seed, 0x7061746368)) // "patch"
	param := func(name string, rows, cols int, decay bool, std float64) *transformer.Param {
		p := &transformer.Param{Name: name, Value: mat.NewDense(rows, cols, nil), Grad: mat.NewDense(rows, cols, nil), Decay: decay}
		for i := range p.Value.RawMatrix().Data {
			p.Value.RawMatrix().Data[i] = std * rng.NormFloat64()
		}
		return p
	}
	return &Projector{
		W:    param("vision.patch_proj.weight", PatchSize, d, true, 0.02),
		Bias: param("vision.patch_proj.bias", 1, d, false, 0),
		Pos:  param("vision.patch_pos.weight", NumPatches, d, true, 0.02),
		D:    d,
	}
}

// Params are the projector's parameters: W, bias, pos.
func (pr *Projector) Params() []*transformer.Param {
	return []*transformer.Param{pr.W, pr.Bias, pr.Pos}
}

// Forward writes the input vectors of n patches (n a multiple of
// NumPatches: whole images) into e.
func (pr *Projector) Forward(e, patches []float64, n int) {
	D := pr.D
	w, b, pos := pr.W.Value.RawMatrix().Data, pr.Bias.Value.RawMatrix().Data, pr.Pos.Value.RawMatrix().Data
	for r := range n {
		out, in := e[r*D:(r+1)*D], patches[r*PatchSize:(r+1)*PatchSize]
		copy(out, b)
		p := pos[(r%NumPatches)*D:][:D]
		for j := range D {
			out[j] += p[j]
		}
		for k, x := range in {
			if x == 0 {
				continue // black pixels: most of every image
			}
			wk := w[k*D : (k+1)*D]
			for j := range D {
				out[j] += x * wk[j]
			}
		}
	}
}

// Backward adds the gradients of W, bias and pos given de, the gradient
// of the loss with respect to the vectors Forward made from patches.
func (pr *Projector) Backward(de, patches []float64, n int) {
	D := pr.D
	dw, db, dpos := pr.W.Grad.RawMatrix().Data, pr.Bias.Grad.RawMatrix().Data, pr.Pos.Grad.RawMatrix().Data
	for r := range n { // in row order: the sums are the same on any number of cores
		g, in := de[r*D:(r+1)*D], patches[r*PatchSize:(r+1)*PatchSize]
		p := dpos[(r%NumPatches)*D:][:D]
		for j, v := range g {
			db[j] += v
			p[j] += v
		}
		for k, x := range in {
			if x == 0 {
				continue
			}
			dwk := dw[k*D : (k+1)*D]
			for j, v := range g {
				dwk[j] += x * v
			}
		}
	}
}

// LitPatches reports, for each patch, whether any of its pixels is lit:
// the patches a shape covers.
func LitPatches(img *Image) [NumPatches]bool {
	var lit [NumPatches]bool
	for y := range Side {
		for x := range Side {
			p := img.Pix[(y*Side+x)*3:][:3]
			if p[0]+p[1]+p[2] > 0 {
				lit[(y/PatchSide)*PatchesPerSide+x/PatchSide] = true
			}
		}
	}
	return lit
}
