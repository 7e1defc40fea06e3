package sample

import (
	"math"
	"sort"
)

// reference is the plain version of Draw, written the obvious way to check
// the fast one: sort every token, cut, renormalise, walk the CDF.
type reference struct {
	probs   []float64 // after temperature (temperature 1 when greedy)
	entropy float64
	order   []int     // all IDs, most likely first
	kept    []bool    // by ID
	final   []float64 // by ID
	reason  []Reason  // by ID: kept, or the cut that removed it
	mass    float64   // total probability of the kept tokens
	chosen  int
	margin  float64 // how far the top-p cumulative sum was from its threshold
}

func referenceDraw(logits []float64, o Options, u float64) reference {
	V := len(logits)
	T := o.Temperature
	if T == 0 {
		T = 1
	}
	// Softmax through log-sum-exp (a different formula from Draw's).
	m := math.Inf(-1)
	for _, l := range logits {
		m = math.Max(m, l)
	}
	var s float64
	for _, l := range logits {
		s += math.Exp((l - m) / T)
	}
	lse := math.Log(s)
	r := reference{probs: make([]float64, V), kept: make([]bool, V), final: make([]float64, V), reason: make([]Reason, V), margin: math.Inf(1)}
	for i, l := range logits {
		r.probs[i] = math.Exp((l-m)/T - lse)
		if r.probs[i] > 0 {
			r.entropy -= r.probs[i] * math.Log(r.probs[i]) / math.Ln2
		}
	}
	// Sort everything: by logit, descending; equal logits by ID, ascending.
	r.order = make([]int, V)
	for i := range r.order {
		r.order[i] = i
	}
	sort.SliceStable(r.order, func(a, b int) bool { return logits[r.order[a]] > logits[r.order[b]] })

	n := V
	if o.Temperature == 0 {
		n = 1
	}
	if o.TopK > 0 && o.TopK < n {
		n = o.TopK
	}
	if o.Temperature > 0 && o.TopP < 1 {
		var mass float64
		for _, id := range r.order[:n] {
			mass += r.probs[id]
		}
		var cum float64
		for i, id := range r.order[:n] {
			cum += r.probs[id] / mass
			r.margin = math.Min(r.margin, math.Abs(cum-o.TopP))
			if cum >= o.TopP {
				n = i + 1
				break
			}
		}
	}
	for i, id := range r.order {
		switch {
		case i < n:
			r.kept[id] = true
			r.reason[id] = ReasonKept
			r.mass += r.probs[id]
		case o.Temperature == 0:
			r.reason[id] = ReasonBelowTop
		case o.TopK > 0 && i >= o.TopK:
			r.reason[id] = ReasonTopK
		default:
			r.reason[id] = ReasonTopP
		}
	}
	for id := range r.final {
		if r.kept[id] {
			r.final[id] = r.probs[id] / r.mass
		}
	}
	if o.Temperature == 0 {
		r.chosen = r.order[0]
		r.final[r.chosen] = 1
		return r
	}
	var cum float64
	for id, f := range r.final {
		if f > 0 {
			cum += f
			r.chosen = id
			if u < cum {
				break
			}
		}
	}
	return r
}

// rank returns the 1-based position of id in the ranking.
func rank(logits []float64, id int) int {
	r := 1
	for other := range logits {
		if below(logits, id, other) {
			r++
		}
	}
	return r
}
