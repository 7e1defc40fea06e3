package transformer

// Dropout (training only), element-wise with keep mask m:
// forward:  y = x⊙m, m_i = 0 with probability p, else 1/(1-p)
// backward: dx = dy⊙m
// m is a pure function of (seed, site, i) (a hash, no shared random
// stream), so it does not depend on goroutine scheduling and a resumed run
// sees the same masks.

// splitmix64 is a strong 64-bit mixing function (Steele et al.).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// dropoutMask fills mask with the keep factors for one site.
func dropoutMask[F float](mask []F, p float64, seed, site uint64) {
	keep := F(1 / (1 - p))
	key := splitmix64(seed ^ splitmix64(site))
	for i := range mask {
		u := float64(splitmix64(key+uint64(i))>>11) / (1 << 53)
		if u < p {
			mask[i] = 0
		} else {
			mask[i] = keep
		}
	}
}

// mulInPlace: x ← x⊙m (forward and backward are the same operation).
func mulInPlace[F float](x, m []F) {
	for i, v := range m {
		x[i] *= v
	}
}
