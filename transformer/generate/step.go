package generate

import (
	"encoding/json"

	"github.com/tick-llm/tick/transformer/sample"
)

// Step is one step of autoregressive generation as a learner sees it: the
// context the model read, the sampler's candidates for the next token, how
// uncertain it was, and which token was taken and why. Its JSON is the
// interface of `tick generate --step --format json`; keep it stable.
type Step struct {
	// Step counts generated tokens from 1.
	Step int `json:"step"`
	// ContextIDs are all tokens so far, prompt included (the model may read
	// only the last Context of them; see Generator).
	ContextIDs []int `json:"context_ids"`
	// Window is how many of the last ContextIDs the model reads: all of
	// them until the context is full, fewer once the window slides.
	Window int `json:"window"`
	// Candidates are the most probable next tokens, most probable first.
	Candidates []Candidate `json:"candidates"`
	// EntropyBits is the entropy of the next-token distribution after
	// temperature: 0 when the model is certain, log2(V) when it has no idea.
	EntropyBits float64 `json:"entropy_bits"`
	// Chosen is the token appended to the context.
	Chosen Choice `json:"chosen"`
}

// Candidate is one of the sampler's candidates with its spelling. Its
// Reason is sample.ReasonKept, sample.ReasonTopK, sample.ReasonTopP, or with
// greedy decoding sample.ReasonBelowTop for every token but the most
// probable.
type Candidate struct {
	sample.Candidate
	// Text is the token's bytes. A token may hold part of a UTF-8
	// character, so Text need not be valid UTF-8: the JSON spells each
	// stray byte \xNN, a terminal shows tokenizer.Visible.
	Text string
}

// Choice is the token taken at a step, with its spelling. Its Reason is
// sample.ReasonGreedy, sample.ReasonSampled, or sample.ReasonPicked when the
// user chose it in an interactive session.
type Choice struct {
	sample.Choice
	Text string // the token's bytes, as Candidate.Text
}

// MarshalJSON writes the candidate as the documented JSON object:
// {"id", "text", "prob", "final_prob", "kept", "reason"} in that order.
func (c Candidate) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID        int           `json:"id"`
		Text      string        `json:"text"`
		Prob      float64       `json:"prob"`
		FinalProb float64       `json:"final_prob"`
		Kept      bool          `json:"kept"`
		Reason    sample.Reason `json:"reason"`
	}{c.ID, jsonText(c.Text), c.Prob, c.Final, c.Kept, c.Reason})
}

// MarshalJSON writes the choice as the documented JSON object:
// {"id", "text", "reason", "prob"} in that order.
func (c Choice) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID     int           `json:"id"`
		Text   string        `json:"text"`
		Reason sample.Reason `json:"reason"`
		Prob   float64       `json:"prob"`
	}{c.ID, jsonText(c.Text), c.Reason, c.Prob})
}

// Stepper is what the generation loop drives. Propose computes the next step
// (the distribution and the sampler's choice) without committing to it;
// Accept appends a token, the sampler's or another, to the context.
type Stepper interface {
	Propose() (Step, error)
	Accept(id int) error
}
