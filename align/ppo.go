package align

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer"
)

// This file is PPO as InstructGPT uses it (Ouyang et al., 2022; the
// per-token form of Ziegler et al., 2019). For each batch of sampled
// replies:
//
//  1. per-token rewards: rₜ = −β_KL·(log π_old(yₜ) − log π_SFT(yₜ)) at every
//     reply token, plus the reward model's score at the last one;
//  2. values Vₜ from the value model (value.go), and GAE(γ, λ) advantages
//     Aₜ and returns Rₜ = Aₜ + Vₜ; the advantages normalised over the batch;
//  3. several epochs over the batch in minibatches, each an optimiser step
//     of the clipped policy objective (PPOGrad) and one of the clipped value
//     loss (ValueModel.Grad).

// PPOGrad adds into m's gradients the gradient of PPO's clipped surrogate
// over the reply tokens of b:
//
//	ρₜ = exp(log π(yₜ) − log π_old(yₜ))
//	L  = −(1/n) Σₜ min(ρₜ·Aₜ, clip(ρₜ, 1−ε, 1+ε)·Aₜ)
//
// oldLogp holds log π_old and adv the advantage Aₜ of every position of b
// (B*T, ignored where the target is -1); n is the number of reply tokens.
// It returns L and the fraction of tokens whose ratio was clipped (the
// term without gradient).
func PPOGrad(m *transformer.Model, b Batch, oldLogp, adv []float64, eps float64) (loss, clipFrac float64, err error) {
	loss, clipFrac, w, err := ppoSurrogate(m, b, oldLogp, adv, eps)
	if err != nil {
		return 0, 0, err
	}
	return loss, clipFrac, m.BackwardWeighted(w)
}

// ppoSurrogate runs m on b and returns PPO's loss, the clip fraction and
// the weight of each position for BackwardWeighted.
func ppoSurrogate(m *transformer.Model, b Batch, oldLogp, adv []float64, eps float64) (loss, clipFrac float64, w []float64, err error) {
	if len(oldLogp) != len(b.Y) || len(adv) != len(b.Y) {
		return 0, 0, nil, fmt.Errorf("ppo: %d old log-probabilities and %d advantages for %d positions", len(oldLogp), len(adv), len(b.Y))
	}
	if _, err := m.Forward(b.X, b.Y, b.B, b.T); err != nil {
		return 0, 0, nil, err
	}
	losses := m.PositionLosses()
	w = make([]float64, b.B*b.T)
	n := 0.0
	for _, y := range b.Y {
		if y >= 0 {
			n++
		}
	}
	for i, y := range b.Y {
		if y < 0 {
			continue
		}
		a := adv[i]
		rho := math.Exp(-losses[i] - oldLogp[i])
		c := min(max(rho, 1-eps), 1+eps)
		if c*a < rho*a { // the clipped term is the minimum: no gradient
			loss -= c * a / n
			clipFrac += 1 / n
			continue
		}
		loss -= rho * a / n
		// ∂L/∂log πₜ = −ρₜ·Aₜ/n, and log πₜ = −lossₜ
		w[i] = rho * a / n
	}
	return loss, clipFrac, w, nil
}

// gaeReference is generalised advantage estimation straight from its
// definition, for one reply of rewards r and values v (V after the last
// token is 0: the reply has ended):
//
//	δₜ = rₜ + γ·Vₜ₊₁ − Vₜ
//	Aₜ = Σₗ (γλ)ˡ·δₜ₊ₗ
//
// O(n²); GAE computes the same in one backward pass.
func gaeReference(r, v []float64, gamma, lambda float64) []float64 {
	n := len(r)
	delta := make([]float64, n)
	for t := range n {
		next := 0.0
		if t+1 < n {
			next = v[t+1]
		}
		delta[t] = r[t] + gamma*next - v[t]
	}
	adv := make([]float64, n)
	for t := range n {
		k := 1.0
		for l := t; l < n; l++ {
			adv[t] += k * delta[l]
			k *= gamma * lambda
		}
	}
	return adv
}

// GAE is generalised advantage estimation (Schulman et al., 2016) for one
// reply of per-token rewards r and values v, by the recursion
//
//	Aₜ = δₜ + γλ·Aₜ₊₁,  δₜ = rₜ + γ·Vₜ₊₁ − Vₜ   (Vₙ = Aₙ = 0)
//
// It returns the advantages and the returns Rₜ = Aₜ + Vₜ the value model
// regresses on. λ = 1 gives the discounted return minus Vₜ (unbiased, high
// variance); λ = 0 the one-step δₜ (biased by V, low variance).
func GAE(r, v []float64, gamma, lambda float64) (adv, ret []float64) {
	n := len(r)
	adv, ret = make([]float64, n), make([]float64, n)
	next, a := 0.0, 0.0
	for t := n - 1; t >= 0; t-- {
		a = r[t] + gamma*next - v[t] + gamma*lambda*a
		adv[t], ret[t] = a, a+v[t]
		next = v[t]
	}
	return adv, ret
}

// replyStart is the position in a row of Encode's layout that predicts
// the first reply token: reply token k is predicted at replyStart + k.
func replyStart(prompt []int) int { return len(prompt) - 1 }

// regather copies per-position values of rows of the batch src (row r's
// reply at r·src.T + replyStart) into the layout of dst, whose row j holds
// row rows[j] of src with the same prompt, at j·dst.T + replyStart.
func regather(x []float64, src, dst Batch, rows []int, prompts [][]int) []float64 {
	out := make([]float64, dst.B*dst.T)
	for j, r := range rows {
		s, d := r*src.T+replyStart(prompts[r]), j*dst.T+replyStart(prompts[r])
		copy(out[d:d+src.ReplyLen[r]], x[s:s+src.ReplyLen[r]])
	}
	return out
}

// entropy is the mean entropy −Σ p·log p of the model's next-token
// distribution at the scored positions of its last Forward (on b): how
// spread out the policy still is.
func entropy(m *transformer.Model, b Batch) float64 {
	p := m.Probs()
	V := m.Config.VocabSize
	raw := p.RawMatrix().Data
	var h, n float64
	for i, y := range b.Y {
		if y < 0 {
			continue
		}
		for _, q := range raw[i*V : (i+1)*V] {
			if q > 0 {
				h -= q * math.Log(q)
			}
		}
		n++
	}
	return h / n
}

// logProbs runs m on b and returns log p(yₜ) at every position (0 where
// nothing is scored).
func logProbs(m *transformer.Model, b Batch) ([]float64, error) {
	if _, err := m.Forward(b.X, b.Y, b.B, b.T); err != nil {
		return nil, err
	}
	lp := make([]float64, len(b.Y))
	for i, l := range m.PositionLosses() {
		lp[i] = -l
	}
	return lp, nil
}

// advantages computes, for a rollout measured as oldLp, refLp and values
// at every position of b, the per-token rewards, GAE advantages
// (normalised to mean 0 and standard deviation 1 over the batch's reply
// tokens) and returns, all per position, and each reply's total reward
// and KL from the reference.
func advantages(b Batch, prompts [][]int, score, oldLp, refLp, values []float64, p RLPlan) (adv, ret, total, kl []float64) {
	adv, ret = make([]float64, len(b.Y)), make([]float64, len(b.Y))
	total, kl = make([]float64, b.B), make([]float64, b.B)
	var sum, sq, n float64
	for r := range b.B {
		s, L := r*b.T+replyStart(prompts[r]), b.ReplyLen[r]
		rew := make([]float64, L)
		for k := range L {
			d := oldLp[s+k] - refLp[s+k] // this token's share of log π(y)/π_SFT(y)
			kl[r] += d
			rew[k] = -p.KLCoef * d
		}
		rew[L-1] += score[r]
		for _, x := range rew {
			total[r] += x
		}
		a, rt := GAE(rew, values[s:s+L], p.Gamma, p.Lambda)
		copy(adv[s:], a)
		copy(ret[s:], rt)
		for _, x := range a {
			sum, sq, n = sum+x, sq+x*x, n+1
		}
	}
	// Normalising keeps the step size independent of the reward's scale.
	mean := sum / n
	std := math.Sqrt(max(sq/n-mean*mean, 0))
	for i, y := range b.Y {
		if y >= 0 {
			adv[i] = (adv[i] - mean) / (std + 1e-8)
		}
	}
	return adv, ret, total, kl
}

// ppoIteration is one PPO iteration on the rollout r, its minibatch order
// drawn from rng.
func (s *rlStage) ppoIteration(i int, r *rollout, rng *rand.Rand) (map[string]float64, error) {
	b, N := r.b, s.p.Batch
	refLp, err := logProbs(s.ref, b)
	if err != nil {
		return nil, fmt.Errorf("rlhf: reference: %w", err)
	}
	oldLp, err := logProbs(s.policy, b) // eval mode, as the replies were sampled
	if err != nil {
		return nil, fmt.Errorf("rlhf: policy: %w", err)
	}
	ent := entropy(s.policy, b)
	s.value.Model.SetTraining(false, 0)
	vOld, err := s.value.Values(b)
	if err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	adv, ret, total, kl := advantages(b, r.prompts, r.score, oldLp, refLp, vOld, s.p)
	ev := ExplainedVariance(vOld, ret, b.Y)

	var loss, clip, vloss, vclip float64
	updates, step := 0, i*s.p.updates()
	for range s.p.PPOEpochs {
		perm := rng.Perm(N)
		for lo := 0; lo < N; lo += s.p.MiniBatch {
			rows := perm[lo:min(lo+s.p.MiniBatch, N)]
			ps, rs := make([][]int, len(rows)), make([][]int, len(rows))
			for j, k := range rows {
				ps[j], rs[j] = r.prompts[k], r.replies[k]
			}
			mb, err := Encode(ps, rs)
			if err != nil {
				return nil, fmt.Errorf("rlhf: %w", err)
			}
			step++
			l, _, err := s.opt.StepGrad(step, func() (float64, error) {
				// Dropout off, as when the replies were sampled: the ratio
				// must compare π_old with the same function moved, not with
				// a randomly thinned one (it is then exactly 1 at the first
				// update).
				s.policy.SetTraining(false, 0)
				l, c, err := PPOGrad(s.policy, mb, regather(oldLp, b, mb, rows, r.prompts), regather(adv, b, mb, rows, r.prompts), s.p.ClipEps)
				clip += c
				return l, err
			})
			if err != nil {
				return nil, fmt.Errorf("rlhf: policy: %w", err)
			}
			vl, err := s.valueStep(step, mb, regather(vOld, b, mb, rows, r.prompts), regather(ret, b, mb, rows, r.prompts), &vclip)
			if err != nil {
				return nil, err
			}
			loss, vloss, updates = loss+l, vloss+vl, updates+1
		}
	}
	s.policy.SetTraining(false, 0)
	s.value.Model.SetTraining(false, 0)
	u := float64(updates)
	var meanKL, meanRet float64
	for k := range N {
		meanKL, meanRet = meanKL+kl[k]/float64(N), meanRet+total[k]/float64(N)
	}
	return map[string]float64{
		"reward": r.score0(), "judge": r.judge, "kl": meanKL, "return": meanRet,
		"loss": loss / u, "clip": clip / u, "value_loss": vloss / u, "value_clip": vclip / u,
		"explained_variance": ev, "entropy": ent,
	}, nil
}

// valueStep makes optimiser step number step of the value model (its
// transformer and its head) on the clipped value loss over mb, adding its
// clip fraction into clip.
func (s *rlStage) valueStep(step int, mb Batch, vOld, ret []float64, clip *float64) (float64, error) {
	vm := s.value
	loss, _, err := s.valueOpt.StepGrad(step, func() (float64, error) {
		vm.Model.SetTraining(false, 0) // as the old values were computed
		l, c, err := vm.Grad(mb, vOld, ret, s.p.ValueClip)
		*clip += c
		return l, err
	})
	if err != nil {
		return 0, fmt.Errorf("rlhf: value model: %w", err)
	}
	bv, bg := []float64{vm.B}, []float64{vm.GradB}
	if err := s.valueHead.Update([][]float64{vm.W, bv}, [][]float64{vm.GradW, bg}, []bool{false, false}, s.valueOpt.Schedule.LR(step)); err != nil {
		return 0, fmt.Errorf("rlhf: value head: %w", err)
	}
	vm.B = bv[0]
	return loss, nil
}
