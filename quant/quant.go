// Package quant stores weights in fewer bits, the way QLoRA and
// bitsandbytes do, and reads them back:
//
//   - int8: blocks of 64 values, one float32 scale per block (absmax/127),
//     each value rounded to the nearest of the 255 steps -127..127.
//   - nf4: blocks of 64 values, one float32 absmax per block, each value
//     x/absmax replaced by the index of the nearest of the 16 NormalFloat
//     levels of the QLoRA paper (Dettmers et al. 2023), two indices a byte.
//
// Double quantization (QLoRA §3) stores the per-block float32 scales
// themselves in 8 bits: their mean is subtracted, then they are quantized
// in blocks of 256 with one float32 scale each. (bitsandbytes uses its
// 8-bit dynamic float map for those codes; tick uses linear int8 absmax
// codes, the same bit budget.) NF4 then costs 4 + 8/64 + 32/(64·256) ≈ 4.127
// bits per value instead of 4.5.
package quant

import (
	"fmt"
	"math"
)

// Kind names a storage format.
type Kind string

// The formats.
const (
	Int8 Kind = "int8"
	NF4  Kind = "nf4"
)

// BlockSize is the number of values sharing one scale (QLoRA's 64).
const BlockSize = 64

// ScaleBlockSize is the block of scales sharing one second-level scale
// under double quantization (QLoRA's 256).
const ScaleBlockSize = 256

// NF4Levels are the 16 NormalFloat4 values of the QLoRA paper, as
// bitsandbytes tabulates them (float32): quantiles of N(0, 1) scaled to
// [-1, 1], with an exact 0, 7 levels below it and 8 above.
var NF4Levels = [16]float64{
	-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
	-0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
	0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
	0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
}

// Tensor is a quantized tensor of N values.
type Tensor struct {
	Kind   Kind
	N      int
	Codes  []byte    // int8: one byte a value (two's complement); nf4: two level indices a byte, the first value in the high nibble
	Scales []float32 // one a block; nil under double quantization

	// double quantization of the scales: scale_i = ScaleOffset + ScaleScales[i/256]·ScaleCodes[i]/127
	Double      bool
	ScaleCodes  []int8
	ScaleScales []float32
	ScaleOffset float32
}

// ParseKind checks a format name from a flag.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case Int8, NF4:
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown quantization %q: use nf4 or int8", s)
}

// Quantize stores x in the given format, with the scales double-quantized
// when double is set. Values must be finite.
func Quantize(x []float64, kind Kind, double bool) (*Tensor, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return nil, err
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("quantize: value %d is %g; only finite values can be quantized", i, v)
		}
	}
	blocks := (len(x) + BlockSize - 1) / BlockSize
	t := &Tensor{Kind: kind, N: len(x), Scales: make([]float32, blocks)}
	if kind == Int8 {
		t.Codes = make([]byte, len(x))
	} else {
		t.Codes = make([]byte, (len(x)+1)/2)
	}
	for b := range blocks {
		blk := x[b*BlockSize : min(len(x), (b+1)*BlockSize)]
		absmax := 0.0
		for _, v := range blk {
			absmax = max(absmax, math.Abs(v))
		}
		if kind == Int8 {
			t.Scales[b] = float32(absmax / 127)
		} else {
			t.Scales[b] = float32(absmax)
		}
	}
	if double {
		t.doubleQuantize()
	}
	for b := range blocks {
		s := t.scale(b)
		for j := b * BlockSize; j < min(len(x), (b+1)*BlockSize); j++ {
			if kind == Int8 {
				t.Codes[j] = byte(int8(roundInt8(x[j], s)))
			} else {
				t.setNibble(j, nearestNF4(x[j], s))
			}
		}
	}
	return t, nil
}

// roundInt8 is x/s rounded to the nearest integer in [-127, 127] (0 when s is 0).
func roundInt8(x, s float64) int {
	if s == 0 {
		return 0
	}
	return max(-127, min(127, int(math.Round(x/s))))
}

// nearestNF4 is the index of the level nearest x/absmax (7, the level 0, when absmax is 0).
func nearestNF4(x, absmax float64) byte {
	if absmax == 0 {
		return 7
	}
	v := x / absmax
	best, bestD := 0, math.Inf(1)
	for i, l := range NF4Levels {
		if d := math.Abs(v - l); d < bestD {
			best, bestD = i, d
		}
	}
	return byte(best)
}

func (t *Tensor) setNibble(j int, code byte) {
	if j%2 == 0 {
		t.Codes[j/2] = t.Codes[j/2]&0x0f | code<<4
	} else {
		t.Codes[j/2] = t.Codes[j/2]&0xf0 | code
	}
}

func (t *Tensor) nibble(j int) byte {
	if j%2 == 0 {
		return t.Codes[j/2] >> 4
	}
	return t.Codes[j/2] & 0x0f
}

// doubleQuantize replaces the float32 scales by 8-bit codes around their mean.
func (t *Tensor) doubleQuantize() {
	n := len(t.Scales)
	mean := 0.0
	for _, s := range t.Scales {
		mean += float64(s)
	}
	if n > 0 {
		mean /= float64(n)
	}
	t.Double, t.ScaleOffset = true, float32(mean)
	t.ScaleCodes = make([]int8, n)
	t.ScaleScales = make([]float32, (n+ScaleBlockSize-1)/ScaleBlockSize)
	for b := range t.ScaleScales {
		lo, hi := b*ScaleBlockSize, min(n, (b+1)*ScaleBlockSize)
		absmax := 0.0
		for _, s := range t.Scales[lo:hi] {
			absmax = max(absmax, math.Abs(float64(s)-float64(t.ScaleOffset)))
		}
		t.ScaleScales[b] = float32(absmax / 127)
		for i := lo; i < hi; i++ {
			t.ScaleCodes[i] = int8(roundInt8(float64(t.Scales[i])-float64(t.ScaleOffset), float64(t.ScaleScales[b])))
		}
	}
	t.Scales = nil
}

// scale is block b's scale as dequantization uses it (never negative).
func (t *Tensor) scale(b int) float64 {
	if !t.Double {
		return float64(t.Scales[b])
	}
	s := float64(t.ScaleOffset) + float64(t.ScaleScales[b/ScaleBlockSize])*float64(t.ScaleCodes[b])
	return max(0, s)
}

// Scale is the scale of block b (absmax for nf4, absmax/127 for int8), as
// Dequantize uses it.
func (t *Tensor) Scale(b int) float64 { return t.scale(b) }

// Dequantize writes the N values the tensor stands for into dst (len N).
func (t *Tensor) Dequantize(dst []float64) {
	for b := 0; b*BlockSize < t.N; b++ {
		s := t.scale(b)
		for j := b * BlockSize; j < min(t.N, (b+1)*BlockSize); j++ {
			if t.Kind == Int8 {
				dst[j] = float64(int8(t.Codes[j])) * s
			} else {
				dst[j] = NF4Levels[t.nibble(j)] * s
			}
		}
	}
}

// Bytes is the storage the tensor takes: codes plus scales (and the
// second-level scales and offset under double quantization).
func (t *Tensor) Bytes() int {
	n := len(t.Codes) + 4*len(t.Scales)
	if t.Double {
		n += len(t.ScaleCodes) + 4*len(t.ScaleScales) + 4
	}
	return n
}

// MaxError is the largest error a value of block b can have after the
// round trip, from the format alone: half the widest gap between adjacent
// codes times the block's scale (plus, under double quantization, how far
// the stored scale moved from trueScale, times the largest |code|: a value
// beyond the stored scale is clamped to the end code).
func (t *Tensor) MaxError(b int, trueScale float64) float64 {
	s := t.scale(b)
	half := 0.5 // int8: steps of one unit
	if t.Kind == NF4 {
		half = NF4HalfGap()
	}
	top := 127.0 // the largest |code|
	if t.Kind == NF4 {
		top = 1
	}
	return half*s + top*math.Abs(trueScale-s)
}

// NF4HalfGap is half the widest gap between adjacent NF4 levels (between
// 0.7230 and 1).
func NF4HalfGap() float64 {
	g := 0.0
	for i := 1; i < len(NF4Levels); i++ {
		g = max(g, NF4Levels[i]-NF4Levels[i-1])
	}
	return g / 2
}
