package transformer

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Param is one named tensor of the model with its gradient.
//
// Value and Grad have the same shape. Vectors (biases, norm gains) are
// 1 x n matrices; Shape gives the shape a Hugging Face checkpoint uses
// ([n] for vectors). Matrices are stored in the orientation of that
// checkpoint: GPT-2 naming stores its Conv1D weights (in x out) and
// computes x·W; Llama naming stores nn.Linear weights (out x in) and
// computes x·Wᵀ; embeddings and the output head are (vocab x dim) in both.
type Param struct {
	Name  string
	Value *mat.Dense
	Grad  *mat.Dense
	Decay bool // weight decay applies: true for matrices, false for biases and norm gains
	// Frozen parameters get no gradient and no optimiser state (the base of a LoRA fine-tune).
	Frozen bool

	shape []int
	init  initKind
	idx   int       // position in the model's Params (weights[F] index by it)
	f32   []float32 // an inference-only model's matrix (Value and Grad nil), see NewInference; or a float64 parameter's float32 copy, see Float32Snapshot
}

// initKind says how New fills a parameter (GPT-2's scheme).
type initKind int

const (
	initNormal   initKind = iota // N(0, 0.02²)
	initResidual                 // N(0, (0.02/√(2·layers))²): projections that write into the residual stream
	initOnes                     // norm gains
	initZeros                    // biases
)

// Shape returns the tensor's shape in a Hugging Face checkpoint: [n] for a
// vector, [rows, cols] for a matrix.
func (p *Param) Shape() []int { return append([]int(nil), p.shape...) }

// Size is the number of scalars in the tensor.
func (p *Param) Size() int {
	if p.Value != nil {
		r, c := p.Value.Dims()
		return r * c
	}
	n := 1 // an inference-only matrix: no float64 Value (NewInference)
	for _, d := range p.shape {
		n *= d
	}
	return n
}

func newMatrix(name string, rows, cols int, init initKind) *Param {
	return &Param{Name: name, Value: mat.NewDense(rows, cols, nil), Grad: mat.NewDense(rows, cols, nil),
		Decay: true, shape: []int{rows, cols}, init: init}
}

func newVector(name string, n int, init initKind) *Param {
	return &Param{Name: name, Value: mat.NewDense(1, n, nil), Grad: mat.NewDense(1, n, nil),
		shape: []int{n}, init: init}
}

// initParams fills every parameter, in order, from one seeded source.
func initParams(params []*Param, layers int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	residualStd := 0.02 / math.Sqrt(2*float64(layers))
	for _, p := range params {
		data := p.Value.RawMatrix().Data
		switch p.init {
		case initNormal:
			for i := range data {
				data[i] = 0.02 * rng.NormFloat64()
			}
		case initResidual:
			for i := range data {
				data[i] = residualStd * rng.NormFloat64()
			}
		case initOnes:
			for i := range data {
				data[i] = 1
			}
		case initZeros:
			clear(data)
		}
	}
}
