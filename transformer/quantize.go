package transformer

import (
	"fmt"
	"math"

	"github.com/tick-llm/tick/quant"
)

// QuantReport is one tensor's storage before and after quantization.
type QuantReport struct {
	Name          string
	Values        int
	Float32Bytes  int     // the tensor as float32, how checkpoints ship
	Bytes         int     // codes and scales
	MaxAbsError   float64 // largest |w - dequantized w|
	RMSError      float64 // root mean square of w - dequantized w
	RelativeError float64 // ‖w - deq(w)‖ / ‖w‖
}

// QuantizeBase stores the weight of every linear layer of the blocks in the
// given format (QLoRA's frozen 4-bit base), freezes it, and from then on
// computes with the dequantized weight: each value is what the codes and
// scales stand for. Embeddings, norms, biases and the head stay as they
// are, as bitsandbytes leaves them. tick keeps the dequantized values in
// float64 beside the codes so the layers stay the plain ones; the bytes a
// base needs are the codes and scales reported.
func (m *Model) QuantizeBase(kind quant.Kind, double bool) ([]QuantReport, error) {
	if m.inference {
		return nil, fmt.Errorf("quantize: %w", ErrInferenceOnly)
	}
	if m.quantKind != "" {
		return nil, fmt.Errorf("the model is already quantized (%s); quantize the original float model instead", m.quantKind)
	}
	names, byName := m.linears()
	var reports []QuantReport
	for _, name := range names {
		w := byName[name].W
		data := w.Value.RawMatrix().Data
		q, err := quant.Quantize(data, kind, double)
		if err != nil {
			return nil, fmt.Errorf("quantize %s: %w", w.Name, err)
		}
		deq := make([]float64, len(data))
		q.Dequantize(deq)
		r := QuantReport{Name: w.Name, Values: len(data), Float32Bytes: 4 * len(data), Bytes: q.Bytes()}
		var se, norm float64
		for i, v := range data {
			e := v - deq[i]
			r.MaxAbsError = max(r.MaxAbsError, math.Abs(e))
			se += e * e
			norm += v * v
		}
		r.RMSError = math.Sqrt(se / float64(len(data)))
		if norm > 0 {
			r.RelativeError = math.Sqrt(se / norm)
		}
		copy(data, deq)
		w.Frozen = true
		m.quantBytes += q.Bytes()
		reports = append(reports, r)
	}
	m.quantKind = kind
	return reports, nil
}

// Quantized names the format of the base weights ("" when not quantized).
func (m *Model) Quantized() quant.Kind { return m.quantKind }
