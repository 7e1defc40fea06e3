package align

import (
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer"
)

// Score is one model measured on held-out prompts.
type Score struct {
	Judge    float64  // mean judge score of its greedy replies
	WinRate  float64  // against the SFT model's greedy replies: wins + ties/2, over prompts
	Accuracy float64  // fraction of greedy replies whose last word is the answer
	KL       float64  // KL(model ‖ SFT) per reply, estimated from sampled replies (nats)
	Replies  []string // greedy replies, in prompt order
}

// Evaluate measures m on the held-out prompts against the SFT model sft
// (whose greedy replies sftReplies are; nil when m is sft itself). The KL
// estimate samples one reply per prompt from m with a source seeded by
// seed: KL = E_y~m[log m(y) − log sft(y)].
func Evaluate(m, sft *transformer.Model, testSet []Instruction, sftReplies []string, seed uint64) (Score, error) {
	var s Score
	for i, in := range testSet {
		ids, err := Reply(m, in.Prompt, nil)
		if err != nil {
			return Score{}, err
		}
		r := DecodeReply(ids)
		s.Replies = append(s.Replies, r)
		j := Judge(in, r)
		s.Judge += j
		if Correct(in, r) {
			s.Accuracy++
		}
		if sftReplies != nil {
			switch js := Judge(in, sftReplies[i]); {
			case j > js:
				s.WinRate++
			case j == js:
				s.WinRate += 0.5
			}
		} else {
			s.WinRate += 0.5
		}
	}
	n := float64(len(testSet))
	s.Judge, s.Accuracy, s.WinRate = s.Judge/n, s.Accuracy/n, s.WinRate/n
	kl, err := KL(m, sft, testSet, seed)
	if err != nil {
		return Score{}, err
	}
	s.KL = kl
	return s, nil
}

// KL estimates KL(m ‖ ref) per reply: one reply sampled from m for each
// prompt, the mean of log m(y) − log ref(y).
func KL(m, ref *transformer.Model, ins []Instruction, seed uint64) (float64, error) {
	rng := rand.New(rand.NewPCG(seed, 0x6b1))
	replies := make([][]int, len(ins))
	prompts := make([][]int, len(ins))
	for i, in := range ins {
		ids, err := Reply(m, in.Prompt, rng)
		if err != nil {
			return 0, err
		}
		prompts[i], replies[i] = PromptIDs(in.Prompt), ids
	}
	b, err := Encode(prompts, replies)
	if err != nil {
		return 0, err
	}
	lp, err := SeqLogProbs(m, b)
	if err != nil {
		return 0, err
	}
	lr, err := SeqLogProbs(ref, b)
	if err != nil {
		return 0, err
	}
	kl := 0.0
	for i := range lp {
		kl += lp[i] - lr[i]
	}
	return kl / float64(len(lp)), nil
}
