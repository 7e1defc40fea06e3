package serve

import (
	"net/http"

	"github.com/tick-llm/tick/attention"
)

// AttentionRequest is the body of POST /api/attention: a model and either
// a text or token IDs (a generation session's context, say).
type AttentionRequest struct {
	Model string `json:"model"`
	Text  string `json:"text"`
	IDs   []int  `json:"ids"`
}

// AttentionResponse holds every head's weights for the last tokens of the
// context (at most MaxAttentionTokens, at most the model's context).
// Layers[l][h][i][j] is how much token i takes from token j in head h of
// layer l: each row adds up to 1 and is 0 right of the diagonal.
type AttentionResponse struct {
	Model   string          `json:"model"`
	IDs     []int           `json:"ids"`
	Tokens  []string        `json:"tokens"`  // each token with whitespace made visible
	Dropped int             `json:"dropped"` // tokens cut from the front to fit
	Layers  [][][][]float64 `json:"layers"`
	Heads   [][]string      `json:"heads"` // a sentence on what each head mostly does (attention.Describe)
}

func (s *Server) attention(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req AttentionRequest) (AttentionResponse, error) {
		m, err := s.model(req.Model)
		if err != nil {
			return AttentionResponse{}, err
		}
		if len(req.Text) > MaxText {
			return AttentionResponse{}, badRequest("the text is %d bytes, over the limit of %d", len(req.Text), MaxText)
		}
		ids := req.IDs
		switch {
		case len(ids) > 0 && req.Text != "":
			return AttentionResponse{}, badRequest("give text or ids, not both")
		case len(ids) > MaxPromptTokens:
			return AttentionResponse{}, badRequest("%d ids, over the limit of %d", len(ids), MaxPromptTokens)
		case len(ids) == 0:
			if ids, err = promptIDs(m.Tok, req.Text); err != nil {
				return AttentionResponse{}, err
			}
		}
		for _, id := range ids {
			if id < 0 || id >= m.Model.Model.Config.VocabSize {
				return AttentionResponse{}, badRequest("token id %d is outside the vocabulary [0, %d)", id, m.Model.Model.Config.VocabSize)
			}
		}
		keep := min(len(ids), MaxAttentionTokens, m.Model.Model.Config.Context)
		out := AttentionResponse{Model: m.Name, Dropped: len(ids) - keep}
		ids = ids[len(ids)-keep:]
		out.IDs, out.Tokens = ids, attention.Labels(m.Tok, ids)
		// A forward pass writes the model's buffers: one at a time per model.
		m.mu.Lock()
		maps, err := attention.Maps(m.Model.Model, ids)
		m.mu.Unlock()
		if err != nil {
			return AttentionResponse{}, err
		}
		for _, layer := range maps {
			var ls [][][]float64
			var ds []string
			for _, h := range layer {
				t, _ := h.Weights.Dims()
				rows := make([][]float64, t)
				for i := range t {
					rows[i] = h.Weights.RawRowView(i)[:t]
				}
				ls = append(ls, rows)
				ds = append(ds, attention.Describe(h.Weights))
			}
			out.Layers = append(out.Layers, ls)
			out.Heads = append(out.Heads, ds)
		}
		return out, nil
	})
}
