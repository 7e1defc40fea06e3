package generate

// Step is one step of autoregressive generation as a learner sees it: the
// context the model read, the candidates it proposed for the next token, how
// uncertain it was, and which token was taken and why. Field names are the
// JSON interface of `tick generate --step --format json`; keep them stable.
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

// Candidate is one possible next token.
type Candidate struct {
	ID int `json:"id"`
	// Text is the token's bytes: as is when valid UTF-8, else with each stray
	// byte spelled \xNN.
	Text string `json:"text"`
	// Prob is the probability after temperature, before top-k/top-p cuts.
	Prob float64 `json:"prob"`
	// FinalProb is the probability the sampler drew from: renormalised over
	// the kept candidates, 0 for a cut one.
	FinalProb float64 `json:"final_prob"`
	// Kept is false when top-k or top-p removed the candidate.
	Kept bool `json:"kept"`
	// Reason says why it was kept or cut: "kept", "cut by top-k",
	// "cut by top-p", or with greedy decoding "below the top" for every
	// token but the most probable.
	Reason string `json:"reason"`
}

// Choice is the token taken at a step.
type Choice struct {
	ID   int    `json:"id"`
	Text string `json:"text"`
	// Reason is "greedy" (temperature 0: the most probable token), "sampled"
	// (drawn at random with probability Prob), or "picked" (chosen by the
	// user in an interactive session).
	Reason string `json:"reason"`
	// Prob is the probability the chosen token had in the distribution drawn
	// from (FinalProb of its candidate).
	Prob float64 `json:"prob"`
}

// Reasons a candidate was kept or not, besides the sampler's "cut by top-k"
// and "cut by top-p".
const (
	ReasonKept     = "kept"
	ReasonBelowTop = "below the top"
)

// Reasons a token was chosen.
const (
	ReasonGreedy  = "greedy"
	ReasonSampled = "sampled"
	ReasonPicked  = "picked"
)

// Stepper is what the generation loop drives. Propose computes the next step
// (the distribution and the sampler's choice) without committing to it;
// Accept appends a token, the sampler's or another, to the context.
type Stepper interface {
	Propose() (Step, error)
	Accept(id int) error
}
