package generate

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/sample"
)

// Cache is the incremental view of a model that generation needs: push one
// token, get the logits for the token after it. *transformer.Cache is one;
// it remembers each token's keys and values (the KV cache) so a step costs
// one token's work instead of a Forward over the whole context.
type Cache interface {
	// Prefill empties the cache, pushes ids in order and returns the
	// next-token logits after the last one (len VocabSize).
	Prefill(ids []int) ([]float64, error)
	// Push appends a token and returns the next-token logits.
	Push(id int) ([]float64, error)
	// Slide keeps only the last keep tokens (1 <= keep <= Len), as if
	// they had been pushed into an empty cache, and returns the logits
	// after them.
	Slide(keep int) ([]float64, error)
	// Len is the number of tokens held.
	Len() int
}

// Options configure a Generator.
type Options struct {
	// Sample says how to pick a token from the logits.
	Sample sample.Options
	// Seed seeds the sampler: same seed, same text.
	Seed uint64
	// Top is how many candidates each Step lists (default 10).
	Top int
	// TokenText spells tokens for the Steps; nil leaves Text empty.
	TokenText TokenText
	// ChoiceOnly says nobody reads the Steps' candidates and entropy:
	// Propose fills only Chosen (and the context fields), and a greedy step
	// skips the softmax altogether (sample.Greedy: the largest logit is the
	// most likely token), as plain text generation does. The chosen tokens
	// are the same as without it.
	ChoiceOnly bool
}

// DefaultTop is how many candidates a Step lists unless Options.Top says.
const DefaultTop = 10

// Generator produces text one token at a time. It implements Stepper.
//
// Each step reads the next-token logits from the KV cache, lets the sampler
// pick a token, and pushes the accepted token into the cache, so the model
// does one token's work per step.
//
// Context overflow: a model attends to at most Context tokens (learned
// position embeddings have only Context rows, and RoPE models were trained no
// further). When the cache is full and another token must go in, the
// Generator slides the window with the cache's own Slide: it keeps the most
// recent Context/2 - 1 tokens, whose keys and values are recomputed at their
// new positions, and pushes the new one, so the model reads the recent half
// of the text (the new token included) from position 0. Half is a trade-off:
// keeping more context costs more frequent slides; each slide costs Context/2
// pushes and happens every Context/2 tokens, so on average one extra push per
// token.
//
// Going back (Back) and changing the sampling options mid-walk (SetSampling)
// keep the random stream reproducible: a step's random number is fixed when
// the step starts. The Generator remembers the state of its random source at
// the start of each step, so redrawing a step, after a change of options or
// after going back to it, uses the same number, and going back and taking
// the sampler's choice again gives the same token as before.
type Generator struct {
	cache   Cache
	context int
	opts    Options
	rng     *rand.Rand
	src     *rand.PCG // rng's source: its state is a value Back and SetSampling can restore
	start   rand.PCG  // src's state when the current step started, before its draw
	undo    []undo    // one per accepted token, to take it back

	ids     []int     // prompt and accepted tokens; the cache holds the last cache.Len() of them
	logits  []float64 // next-token logits after ids, valid unless pending
	pending bool      // ids' last token is not in the cache yet
	vocab   int       // len(logits)

	proposal *Step // the current step until Accept
	steps    int   // tokens accepted so far
}

// undo is what Back needs to take an accepted token back: the window the
// step read and the random state it started from.
type undo struct {
	window int      // cache.Len() when the step was proposed
	start  rand.PCG // the random source before the step's draw
}

// New starts generation from prompt with model m, prefilling its KV cache.
func New(m *transformer.Model, prompt []int, opts Options) (*Generator, error) {
	return NewWithCache(m.NewCache(), m.Config.Context, prompt, opts)
}

// NewWithCache is New for any Cache holding at most context tokens.
func NewWithCache(c Cache, context int, prompt []int, opts Options) (*Generator, error) {
	if context < 1 {
		return nil, fmt.Errorf("generate: context is %d; it must be at least 1", context)
	}
	if len(prompt) == 0 {
		return nil, errors.New("generate: the prompt is empty; give at least one token to continue from")
	}
	if err := opts.Sample.Validate(); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if opts.Top <= 0 {
		opts.Top = DefaultTop
	}
	src := rand.NewPCG(opts.Seed, 0x7469636b) // "tick"
	g := &Generator{
		cache:   c,
		context: context,
		opts:    opts,
		rng:     rand.New(src),
		src:     src,
		start:   *src,
		ids:     append([]int(nil), prompt...),
	}
	// A prompt longer than the context: the model reads its last Context tokens.
	logits, err := c.Prefill(g.ids[max(0, len(g.ids)-context):])
	if err != nil {
		return nil, fmt.Errorf("generate: prompt: %w", err)
	}
	g.logits = append([]float64(nil), logits...) // the cache may reuse its buffer
	g.vocab = len(g.logits)
	return g, nil
}

// catchUp pushes the last accepted token, sliding the window first if the
// cache is full.
func (g *Generator) catchUp() error {
	if !g.pending {
		return nil
	}
	last := len(g.ids) - 1
	id := g.ids[last]
	var logits []float64
	var err error
	switch keep := max(1, g.context/2) - 1; {
	case g.cache.Len() < g.context:
		logits, err = g.cache.Push(id)
	case keep > 0: // full: keep the recent tokens, then push the new one
		if _, err = g.cache.Slide(keep); err == nil {
			logits, err = g.cache.Push(id)
		}
	default: // a context under 4 tokens keeps nothing old: the new token alone
		logits, err = g.cache.Prefill(g.ids[last:])
	}
	if err != nil {
		return fmt.Errorf("generate: token %d (id %d): %w", last, id, err)
	}
	g.logits = append(g.logits[:0], logits...)
	g.pending = false
	return nil
}

// Logits returns the model's next-token logits after all tokens so far (as
// far as the window reaches; see Window). The slice is the Generator's own:
// do not change it.
func (g *Generator) Logits() ([]float64, error) {
	if err := g.catchUp(); err != nil {
		return nil, err
	}
	return g.logits, nil
}

// Window returns the tokens the model reads for the next step: the last
// ones, at most Context of them.
func (g *Generator) Window() ([]int, error) {
	if err := g.catchUp(); err != nil {
		return nil, err
	}
	return append([]int(nil), g.ids[len(g.ids)-g.cache.Len():]...), nil
}

// IDs returns the prompt and the tokens accepted so far.
func (g *Generator) IDs() []int { return append([]int(nil), g.ids...) }

// Propose computes the next step: the candidates, their probabilities, and
// the sampler's choice. Calling it again before Accept returns the same step
// (the sampler draws once per step, so seeded runs repeat exactly).
func (g *Generator) Propose() (Step, error) {
	if g.proposal != nil {
		return *g.proposal, nil
	}
	logits, err := g.Logits()
	if err != nil {
		return Step{}, err
	}
	var st sample.Step
	switch {
	case g.opts.ChoiceOnly && g.opts.Sample.Temperature == 0:
		var id int
		id, err = sample.Greedy(logits)
		st.Chosen = sample.Choice{ID: id, Reason: sample.ReasonGreedy, Prob: 1} // as Draw's greedy choice
	case g.opts.ChoiceOnly:
		st, err = sample.Draw(logits, g.opts.Sample, g.rng, 0) // the same draw, no candidates to rank
	default:
		st, err = sample.Draw(logits, g.opts.Sample, g.rng, g.opts.Top)
	}
	if err != nil {
		return Step{}, fmt.Errorf("generate: step %d: %w", g.steps+1, err)
	}
	s := g.step(st)
	g.proposal = &s
	return s, nil
}

// Accept appends id to the context. It is usually the proposed token, but
// may be any token of the vocabulary (a user's pick).
func (g *Generator) Accept(id int) error {
	if id < 0 || id >= g.vocab {
		return fmt.Errorf("generate: token id %d is outside the vocabulary [0, %d)", id, g.vocab)
	}
	if err := g.catchUp(); err != nil { // the previous token must be in first
		return err
	}
	g.undo = append(g.undo, undo{window: g.cache.Len(), start: g.start})
	g.ids = append(g.ids, id)
	g.pending = true
	g.proposal = nil
	g.steps++
	g.start = *g.src // the next step starts where this one's draw left the source
	return nil
}

// Back takes the last accepted token back, as if it had never been
// accepted: the context loses it, the KV cache holds again the window that
// step read, and the random source returns to its state before that step's
// draw. Propose then gives that step again, with the same random number: with
// unchanged options the same Step, and the sampler's same token.
//
// Rewinding the cache is a Prefill of the step's window (the cache has no
// way to drop its last token), which is the same pushes in the same order
// as the first time, so the logits are the same to the bit. Right after
// Accept, before the next Propose, nothing is recomputed: the token is not
// in the cache yet.
func (g *Generator) Back() error {
	if len(g.undo) == 0 {
		return errors.New("generate: nothing to go back to: no token has been accepted")
	}
	u := g.undo[len(g.undo)-1]
	ids := g.ids[:len(g.ids)-1]
	if !g.pending {
		logits, err := g.cache.Prefill(ids[len(ids)-u.window:])
		if err != nil {
			return fmt.Errorf("generate: going back to step %d: %w", g.steps, err)
		}
		g.logits = append(g.logits[:0], logits...)
	}
	// pending: the cache and g.logits are still those of the step read.
	g.undo = g.undo[:len(g.undo)-1]
	g.ids = ids
	g.pending = false
	g.proposal = nil
	g.steps--
	*g.src, g.start = u.start, u.start
	return nil
}

// Sampling returns the options the next step is drawn with.
func (g *Generator) Sampling() sample.Options { return g.opts.Sample }

// SetSampling changes how tokens are picked from the current step on. A step
// already proposed is drawn again with the new options and the same random
// number (the source goes back to its state at the start of the step), so
// the difference in the chosen token is the options' doing alone.
func (g *Generator) SetSampling(o sample.Options) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	g.opts.Sample = o
	g.proposal = nil
	*g.src = g.start
	return nil
}

// Settings describes how tokens are picked, for the top of a trace.
func (g *Generator) Settings() string {
	o := g.opts.Sample
	if o.Temperature == 0 {
		return fmt.Sprintf("greedy decoding (temperature 0); the model reads up to %d tokens", g.context)
	}
	s := fmt.Sprintf("temperature %g", o.Temperature)
	if o.TopK > 0 {
		s += fmt.Sprintf(" · top-k %d", o.TopK)
	}
	if o.TopP < 1 {
		s += fmt.Sprintf(" · top-p %g", o.TopP)
	}
	return s + fmt.Sprintf(" · seed %d; the model reads up to %d tokens", g.opts.Seed, g.context)
}

// step is the sampler's step with the context and the tokens' spellings.
func (g *Generator) step(st sample.Step) Step {
	text := func(id int) string {
		if g.opts.TokenText == nil {
			return ""
		}
		return string(g.opts.TokenText(id))
	}
	s := Step{
		Step:        g.steps + 1,
		ContextIDs:  append([]int(nil), g.ids...),
		Window:      g.cache.Len(),
		EntropyBits: st.Entropy,
		Candidates:  make([]Candidate, len(st.Top)),
		Chosen:      Choice{Choice: st.Chosen, Text: text(st.Chosen.ID)},
	}
	for i, c := range st.Top {
		s.Candidates[i] = Candidate{Candidate: c, Text: text(c.ID)}
	}
	return s
}

// Continue extends prompt by n tokens, each drawn by the sampler with
// options o from a source seeded by seed, and returns the n new tokens: the
// generation loop with nobody watching, as training samples and the demos'
// texts use it.
func Continue(m *transformer.Model, prompt []int, n int, o sample.Options, seed uint64) ([]int, error) {
	return ContinueWithCache(m.NewCache(), m.Config.Context, prompt, n, o, seed)
}

// ContinueWithCache is Continue through any Cache holding at most context
// tokens (a model's float32 one, say: Model.NewCacheFloat32).
func ContinueWithCache(c Cache, context int, prompt []int, n int, o sample.Options, seed uint64) ([]int, error) {
	g, err := NewWithCache(c, context, prompt, Options{Sample: o, Seed: seed, Top: 1, ChoiceOnly: true})
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, n)
	for range n {
		st, err := g.Propose()
		if err != nil {
			return nil, err
		}
		if err := g.Accept(st.Chosen.ID); err != nil {
			return nil, err
		}
		out = append(out, st.Chosen.ID)
	}
	return out, nil
}
