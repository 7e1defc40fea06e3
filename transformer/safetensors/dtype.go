package safetensors

import (
	"encoding/binary"
	"math"
)

// dtype describes one element type that can appear in a header.
type dtype struct {
	size   int                    // bytes per element
	decode func(b []byte) float64 // nil: known to the format, but not a float tick can use
}

// dtypes lists every element type of the format. Only the floating-point
// ones tick reads have a decode function; the others are recognised so the
// error can say "tick does not read I64" rather than "unknown dtype".
var dtypes = map[string]dtype{
	"F64":     {8, decodeF64},
	"F32":     {4, decodeF32},
	"F16":     {2, decodeF16},
	"BF16":    {2, decodeBF16},
	"BOOL":    {1, nil},
	"U8":      {1, nil},
	"I8":      {1, nil},
	"F8_E5M2": {1, nil},
	"F8_E4M3": {1, nil},
	"I16":     {2, nil},
	"U16":     {2, nil},
	"I32":     {4, nil},
	"U32":     {4, nil},
	"I64":     {8, nil},
	"U64":     {8, nil},
}

func decodeF64(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

func decodeF32(b []byte) float64 {
	return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
}

// decodeBF16 reads a bfloat16: the top 16 bits of a float32 (same sign and
// 8-bit exponent, mantissa cut from 23 to 7 bits), so widening is a shift.
func decodeBF16(b []byte) float64 {
	return float64(math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16))
}

// decodeF16 reads an IEEE 754 half: 1 sign bit, 5 exponent bits (bias 15),
// 10 mantissa bits. value = (-1)^s x 1.m x 2^(e-15), or 0.m x 2^-14 when e = 0.
func decodeF16(b []byte) float64 {
	h := binary.LittleEndian.Uint16(b)
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: 0.m x 2^-14 = frac x 2^-24
		return sign * math.Ldexp(frac, -24)
	case 0x1f: // all ones: infinity, or NaN when the mantissa is not zero
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	// 1.m x 2^(e-15) = (1024 + frac) x 2^(e-25)
	return sign * math.Ldexp(1024+frac, exp-25)
}
