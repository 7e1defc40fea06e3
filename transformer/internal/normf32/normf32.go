// Package normf32 computes float32 LayerNorm and RMSNorm, forward and
// backward, with the row statistics and sums in float64, on CPUs with AVX2
// in Go assembly (which transformer, a cgo package with the openblas tag,
// cannot hold itself). The plain loops in transformer's layernorm.go and
// rmsnorm.go are the reference; this package computes the same formulas.
//
// Element-wise work (the outputs y and dx, and the gain and bias gradients,
// which sum each column over rows in row order) does the same operations in
// the same order as the reference, 8 at a time, so it gives the same bits.
// Row sums are the one change: the reference adds one value after another
// into a single float64; here a row's first len&^7 values go into 8
// float64 lanes (value j into lane j%8), the lanes are added in a fixed
// order, ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)), and the last len%8 values
// follow one at a time. The sum is thus a function of the data only (not of
// the CPU or the number of cores), the 8 chains run side by side, and it
// differs from the reference only by float64 rounding. The *8Go functions
// are that lane order in Go; the assembly matches them bit for bit.
//
// RMSNorm is LayerNorm without centring or bias, so it runs the same
// kernels with a mean of 0: x−0 is x exactly, in float32 and in float64.
// AddRows, the column sums of a bias gradient, serves the linear layers'
// biases too.
package normf32

import "math"

// LayerNormForward is transformer's layerNormForward in float32: for each
// of the n rows of x (width d), mean and rstd = 1/√(var+eps) in float64,
// and y = (x−mean)·rstd·g + b in float32 (b nil: no bias).
func LayerNormForward(y []float32, mean, rstd []float64, x, g, b []float32, n, d int, eps float64) {
	for i := 0; i < n; i++ {
		xi, yi := x[i*d:(i+1)*d], y[i*d:(i+1)*d]
		m := sum(xi) / float64(d)
		v := sumSqDev(xi, m) / float64(d)
		r := 1 / math.Sqrt(v+eps)
		scaleShift(yi, xi, g, b, float32(m), float32(r))
		mean[i], rstd[i] = m, r
	}
}

// RMSNormForward is transformer's rmsNormForward in float32: rstd =
// 1/√(mean(x²)+eps) in float64 and y = x·rstd·g in float32.
func RMSNormForward(y []float32, rstd []float64, x, g []float32, n, d int, eps float64) {
	for i := 0; i < n; i++ {
		xi, yi := x[i*d:(i+1)*d], y[i*d:(i+1)*d]
		r := 1 / math.Sqrt(sumSqDev(xi, 0)/float64(d)+eps)
		scaleShift(yi, xi, g, nil, 0, float32(r))
		rstd[i] = r
	}
}

// LayerNormBackwardInput is transformer's layerNormBackwardInput in
// float32: dx += rstd·(dy⊙g − mean(dy⊙g) − x̂·mean(dy⊙g⊙x̂)), the two means
// in float64.
func LayerNormBackwardInput(dx, dy, x []float32, mean, rstd []float64, g []float32, n, d int) {
	for i := 0; i < n; i++ {
		xi, dyi, dxi := x[i*d:(i+1)*d], dy[i*d:(i+1)*d], dx[i*d:(i+1)*d]
		m, r := mean[i], rstd[i]
		sD, sDX := gradSums(dyi, g, xi, m, r)
		gradInput(dxi, dyi, xi, g, float32(m), float32(r), float32(sD/float64(d)), float32(sDX/float64(d)))
	}
}

// RMSNormBackwardInput is transformer's rmsNormBackwardInput in float32:
// dx += rstd·(dy⊙g − x̂·mean(dy⊙g⊙x̂)).
func RMSNormBackwardInput(dx, dy, x []float32, rstd []float64, g []float32, n, d int) {
	for i := 0; i < n; i++ {
		xi, dyi, dxi := x[i*d:(i+1)*d], dy[i*d:(i+1)*d], dx[i*d:(i+1)*d]
		r := rstd[i]
		_, sDX := gradSums(dyi, g, xi, 0, r)
		gradInput(dxi, dyi, xi, g, 0, float32(r), 0, float32(sDX/float64(d)))
	}
}

// LayerNormBackwardParams is transformer's layerNormBackwardParams in
// float32: dg += Σ dy⊙x̂ and db += Σ dy (db nil: no bias), in float64, each
// column summed over the rows in row order: the same bits as the reference.
func LayerNormBackwardParams(dg, db []float64, dy, x []float32, mean, rstd []float64, n, d int) {
	for i := 0; i < n; i++ {
		paramRow(dg, db, dy[i*d:(i+1)*d], x[i*d:(i+1)*d], mean[i], rstd[i])
	}
}

// RMSNormBackwardParams is transformer's rmsNormBackwardParams in float32:
// dg += Σ dy⊙x̂, the same bits as the reference.
func RMSNormBackwardParams(dg []float64, dy, x []float32, rstd []float64, n, d int) {
	for i := 0; i < n; i++ {
		paramRow(dg, nil, dy[i*d:(i+1)*d], x[i*d:(i+1)*d], 0, rstd[i])
	}
}

// sum is Σ float64(x) in the lane order.
func sum(x []float32) float64 {
	n := len(x) &^ 7
	s := sum8(x[:n])
	for _, v := range x[n:] {
		s += float64(v)
	}
	return s
}

// sumSqDev is Σ (float64(x)−m)² in the lane order.
func sumSqDev(x []float32, m float64) float64 {
	n := len(x) &^ 7
	s := sumSqDev8(x[:n], m)
	for _, v := range x[n:] {
		c := float64(v) - m
		s += c * c
	}
	return s
}

// gradSums returns Σ dx̂ and Σ dx̂·x̂ with dx̂ = dy·g and x̂ = (x−m)·r, in
// float64 in the lane order.
func gradSums(dy, g, x []float32, m, r float64) (sD, sDX float64) {
	n := len(x) &^ 7
	sD, sDX = gradSums8(dy[:n], g[:n], x[:n], m, r)
	for j, xv := range x[n:] {
		dn := float64(dy[n+j]) * float64(g[n+j])
		sD += dn
		sDX += dn * (float64(xv) - m) * r
	}
	return sD, sDX
}

// reduce8 adds the 8 lanes in the fixed order the assembly does: lane k
// with lane k+4, then the halves, then the two that are left.
func reduce8(a *[8]float64) float64 {
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

// sum8Go is sum's lane part (len(x) a multiple of 8) in Go.
func sum8Go(x []float32) float64 {
	var a [8]float64
	for j := 0; j < len(x); j += 8 {
		for k := range a {
			a[k] += float64(x[j+k])
		}
	}
	return reduce8(&a)
}

// sumSqDev8Go is sumSqDev's lane part (len(x) a multiple of 8) in Go.
func sumSqDev8Go(x []float32, m float64) float64 {
	var a [8]float64
	for j := 0; j < len(x); j += 8 {
		for k := range a {
			c := float64(x[j+k]) - m
			a[k] += c * c
		}
	}
	return reduce8(&a)
}

// gradSums8Go is gradSums's lane part (len(x) a multiple of 8) in Go.
func gradSums8Go(dy, g, x []float32, m, r float64) (sD, sDX float64) {
	var a, b [8]float64
	for j := 0; j < len(x); j += 8 {
		for k := range a {
			dn := float64(dy[j+k]) * float64(g[j+k])
			a[k] += dn
			b[k] += dn * (float64(x[j+k]) - m) * r
		}
	}
	return reduce8(&a), reduce8(&b)
}

// scaleShiftGo is y = (x−mf)·rf·g + b (b nil: no bias) one element at a
// time, the reference's operations in float32.
func scaleShiftGo(y, x, g, b []float32, mf, rf float32) {
	for j, xv := range x {
		y[j] = (xv - mf) * rf * g[j]
		if b != nil {
			y[j] += b[j]
		}
	}
}

// gradInputGo is dx += rf·(dy·g − sD − x̂·sDX), x̂ = (x−mf)·rf, one element
// at a time, the reference's operations in float32.
func gradInputGo(dx, dy, x, g []float32, mf, rf, sD, sDX float32) {
	for j, xv := range x {
		xh := (xv - mf) * rf
		dx[j] += rf * (dy[j]*g[j] - sD - xh*sDX)
	}
}

// paramRowGo is dg += dy·(x−m)·r and db += dy (db nil: no bias) for one
// row, in float64, the reference's operations.
func paramRowGo(dg, db []float64, dy, x []float32, m, r float64) {
	for j, xv := range x {
		dg[j] += float64(dy[j]) * (float64(xv) - m) * r
	}
	if db != nil {
		for j, v := range dy {
			db[j] += float64(v)
		}
	}
}

// scaleShift is scaleShiftGo, 8 at a time with AVX2 where there is.
func scaleShift(y, x, g, b []float32, mf, rf float32) {
	n := scaleShiftVec(y, x, g, b, mf, rf)
	if b != nil {
		b = b[n:]
	}
	scaleShiftGo(y[n:], x[n:], g[n:], b, mf, rf)
}

// gradInput is gradInputGo, 8 at a time with AVX2 where there is.
func gradInput(dx, dy, x, g []float32, mf, rf, sD, sDX float32) {
	n := gradInputVec(dx, dy, x, g, mf, rf, sD, sDX)
	gradInputGo(dx[n:], dy[n:], x[n:], g[n:], mf, rf, sD, sDX)
}

// paramRow is paramRowGo, 4 at a time with AVX2 where there is.
func paramRow(dg, db []float64, dy, x []float32, m, r float64) {
	n := paramRowVec(dg, db, dy, x, m, r)
	if db != nil {
		db = db[n:]
	}
	paramRowGo(dg[n:], db, dy[n:], x[n:], m, r)
}

// AddRows adds n rows of dy, ld values apart, into db (their first
// len(db) columns), each column summed in float64 in row order: db[j] +=
// Σ_i dy[i·ld + j], the gradient of a bias that every row added (a linear
// layer's). The same bits as addRowsGo, the reference, 8 columns at a time.
func AddRows(db []float64, dy []float32, n, ld int) {
	done := addRowsVec(db, dy, n, ld)
	addRowsGo(db[done:], dy[done:], n, ld)
}

// addRowsGo is AddRows row after row in Go.
func addRowsGo(db []float64, dy []float32, n, ld int) {
	for i := range n {
		for j, v := range dy[i*ld:][:len(db)] {
			db[j] += float64(v)
		}
	}
}
