package multimodal

import (
	"fmt"

	"github.com/tick-llm/tick/transformer"
)

// Model is one decoder reading images and text: a Projector that turns an
// image's patches into vectors, and a GPT decoder (transformer.Model) that
// reads the sequence
//
//	[NumPatches patch vectors][prompt tokens][answer tokens][End]
//
// through the same blocks, and predicts the answer word by word. The loss
// is on the answer and End only: the image and the prompt are given.
type Model struct {
	Task    Task
	Decoder *transformer.Model
	Proj    *Projector

	// buffers of the last batch, reused while its shape stays
	B, T                     int
	ids, targets             []int
	patches, vecs, dvecs, de []float64
}

// Sizes are the decoder's sizes (a GPT block, MLP 4 x Dim).
type Sizes struct {
	Layers, Heads, Dim int
}

// New builds a model for the task: a GPT decoder over Vocab with a context
// of the image and the longest text, and a projector to its width, both
// drawn from seed.
func New(task Task, s Sizes, seed uint64) (*Model, error) {
	if err := task.Validate(); err != nil {
		return nil, err
	}
	cfg, err := transformer.Preset("gpt")
	if err != nil {
		return nil, err
	}
	cfg.VocabSize, cfg.Context = len(Vocab), NumPatches+task.MaxTokens()-1
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = s.Layers, s.Heads, s.Heads, s.Dim, 4*s.Dim
	dec, err := transformer.New(cfg, seed)
	if err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}
	return &Model{Task: task, Decoder: dec, Proj: NewProjector(cfg.Dim, seed)}, nil
}

// Params are every trained tensor: the decoder's, then the projector's.
func (m *Model) Params() []*transformer.Param {
	return append(append([]*transformer.Param(nil), m.Decoder.Params()...), m.Proj.Params()...)
}

// NumParams is the number of trained scalars.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params() {
		n += p.Size()
	}
	return n
}

// ZeroGrad sets every gradient to zero.
func (m *Model) ZeroGrad() {
	for _, p := range m.Params() {
		clear(p.Grad.RawMatrix().Data)
	}
}

// shape sizes the buffers for B sequences of T positions.
func (m *Model) shape(B, T int) {
	if m.B == B && m.T == T {
		return
	}
	D := m.Decoder.Config.Dim
	m.B, m.T = B, T
	m.ids, m.targets = make([]int, B*T), make([]int, B*T)
	m.patches = make([]float64, B*NumPatches*PatchSize)
	m.vecs, m.dvecs = make([]float64, B*T*D), make([]float64, B*T*D)
	m.de = make([]float64, B*NumPatches*D)
}

// forward runs the decoder on B images each followed by its input tokens
// (texts[b], at most T-NumPatches of them, End after them as padding),
// scoring m.targets when score is set.
func (m *Model) forward(images []*Image, texts [][]int, T int, score bool) (float64, error) {
	B, D := len(images), m.Decoder.Config.Dim
	if !score {
		m.shape(B, T)
	}
	e := m.de // the projected patches, B·NumPatches x D, before they take their places
	for b, img := range images {
		Patches(m.patches[b*NumPatches*PatchSize:(b+1)*NumPatches*PatchSize], img)
		if len(texts[b]) > T-NumPatches {
			return 0, fmt.Errorf("example %d: %d text tokens after %d patches do not fit in %d positions", b, len(texts[b]), NumPatches, T)
		}
		ids := m.ids[b*T : (b+1)*T]
		for t := range ids {
			switch {
			case t < NumPatches:
				ids[t] = transformer.Vector
			case t-NumPatches < len(texts[b]):
				ids[t] = texts[b][t-NumPatches]
			default:
				ids[t] = wordID[End]
			}
		}
	}
	m.Proj.Forward(e, m.patches, B*NumPatches)
	for b := range B {
		for p := range NumPatches {
			copy(m.vecs[(b*T+p)*D:][:D], e[(b*NumPatches+p)*D:][:D])
		}
	}
	var targets []int
	if score {
		targets = m.targets
	}
	return m.Decoder.ForwardInputs(m.ids, m.vecs, targets, B, T)
}

// Loss runs the model on a batch of examples and returns the mean
// cross-entropy of their answer tokens and End: the position holding text
// token i predicts token i+1, scored from the last prompt token on.
func (m *Model) Loss(exs []Example) (float64, error) {
	B, T := len(exs), m.Decoder.Config.Context
	m.shape(B, T)
	images, texts := make([]*Image, B), make([][]int, B)
	for b, ex := range exs {
		prompt, answer, err := ex.tokens()
		if err != nil {
			return 0, fmt.Errorf("example %d: %w", b, err)
		}
		text := append(append(prompt, answer...), wordID[End])
		images[b], texts[b] = ex.Image, text[:len(text)-1]
		tg := m.targets[b*T : (b+1)*T]
		for t := range tg {
			tg[t] = -1
		}
		for i := len(prompt) - 1; i < len(text)-1; i++ {
			tg[NumPatches+i] = text[i+1]
		}
	}
	return m.forward(images, texts, T, true)
}

// Backward adds the gradient of the last Loss into every parameter: the
// decoder's backward pass, then, from the gradient it gives the patch
// vectors, the projector's.
func (m *Model) Backward() error {
	if err := m.Decoder.BackwardInputs(m.dvecs); err != nil {
		return err
	}
	D := m.Decoder.Config.Dim
	for b := range m.B {
		for p := range NumPatches {
			copy(m.de[(b*NumPatches+p)*D:][:D], m.dvecs[(b*m.T+p)*D:][:D])
		}
	}
	m.Proj.Backward(m.de, m.patches, m.B*NumPatches)
	return nil
}

// tokens are the example's prompt and answer as token IDs.
func (ex Example) tokens() (prompt, answer []int, err error) {
	if prompt, err = Tokens(ex.Prompt); err != nil {
		return nil, nil, err
	}
	if len(prompt) == 0 {
		return nil, nil, fmt.Errorf("empty prompt")
	}
	if answer, err = Tokens(ex.Answer); err != nil {
		return nil, nil, err
	}
	return prompt, answer, nil
}

// Answer writes the answer to each example's prompt greedily (the most
// likely word each time) until End or the end of the context, all examples
// going through the model together, and returns the answers as text.
func (m *Model) Answer(exs []Example) ([]string, error) {
	m.Decoder.SetTraining(false, 0)
	B, V, ctx := len(exs), len(Vocab), m.Decoder.Config.Context
	images, texts := make([]*Image, B), make([][]int, B)
	start, done := make([]int, B), make([]bool, B)
	for b, ex := range exs {
		prompt, err := Tokens(ex.Prompt)
		if err != nil || len(prompt) == 0 {
			return nil, fmt.Errorf("example %d: prompt %q: %v", b, ex.Prompt, err)
		}
		images[b], texts[b], start[b] = ex.Image, prompt, len(prompt)
	}
	for {
		longest, open := 0, false
		for b := range B {
			if NumPatches+len(texts[b]) > ctx {
				done[b] = true // the last word written at the last position of the context
			}
			if !done[b] {
				open = true
				longest = max(longest, len(texts[b]))
			}
		}
		if !open {
			break
		}
		T := NumPatches + longest
		view := make([][]int, B) // finished answers may be longer than the open ones: only the open rows are read
		for b := range B {
			view[b] = texts[b][:min(len(texts[b]), longest)]
		}
		if _, err := m.forward(images, view, T, false); err != nil {
			return nil, err
		}
		logits := m.Decoder.Logits()
		for b := range B {
			if done[b] {
				continue
			}
			row := logits.RawRowView(b*T + NumPatches + len(texts[b]) - 1)
			best := 0
			for v := 1; v < V; v++ {
				if row[v] > row[best] {
					best = v
				}
			}
			if Vocab[best] == End {
				done[b] = true
				continue
			}
			texts[b] = append(texts[b], best)
		}
	}
	out := make([]string, B)
	for b := range B {
		out[b] = Words(texts[b][start[b]:])
	}
	return out, nil
}
