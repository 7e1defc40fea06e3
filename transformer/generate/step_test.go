package generate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/tick-llm/tick/transformer/sample"
)

// keys lists the keys of a JSON object in the order they are written.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	var out []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			continue
		}
		if k, ok := tok.(string); ok && depth == 1 && dec.More() {
			out = append(out, k)
			var skip json.RawMessage // the value
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// TestStepJSON checks the documented JSON of a step, the interface of
// `tick generate --step --format json`: the field names in their order, a
// token's text as is when it is valid UTF-8 and each stray byte spelled \xNN
// otherwise, and no field the documentation does not list (no logit).
func TestStepJSON(t *testing.T) {
	s := Step{
		Step: 3, ContextIDs: []int{5, 6, 7}, Window: 2, EntropyBits: 1.25,
		Candidates: []Candidate{
			{Text: "<|endoftext|>", Candidate: sample.Candidate{ID: 9, Logit: 4, Prob: 0.5, Final: 0.625, Kept: true, Reason: sample.ReasonKept}},
			{Text: "a\"b\n", Candidate: sample.Candidate{ID: 1, Logit: 3, Prob: 0.3, Final: 0.375, Kept: true, Reason: sample.ReasonKept}},
			{Text: "x\xe2\x82", Candidate: sample.Candidate{ID: 2, Logit: 1, Prob: 0.2, Reason: sample.ReasonTopP}},
		},
	}
	s.Chosen = Choice{Choice: s.Candidates[2].Pick(), Text: s.Candidates[2].Text}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, raw), []string{"step", "context_ids", "window", "candidates", "entropy_bits", "chosen"}; !slices.Equal(got, want) {
		t.Errorf("step keys %v, want %v", got, want)
	}
	var generic struct {
		Candidates []json.RawMessage `json:"candidates"`
		Chosen     json.RawMessage   `json:"chosen"`
	}
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	for i, c := range generic.Candidates {
		if got, want := keys(t, c), []string{"id", "text", "prob", "final_prob", "kept", "reason"}; !slices.Equal(got, want) {
			t.Errorf("candidate %d keys %v, want %v", i, got, want)
		}
	}
	if got, want := keys(t, generic.Chosen), []string{"id", "text", "reason", "prob"}; !slices.Equal(got, want) {
		t.Errorf("chosen keys %v, want %v", got, want)
	}

	// The values, read back as a program would.
	var back struct {
		Step        int     `json:"step"`
		ContextIDs  []int   `json:"context_ids"`
		Window      int     `json:"window"`
		EntropyBits float64 `json:"entropy_bits"`
		Candidates  []struct {
			ID        int
			Text      string
			Prob      float64
			FinalProb float64 `json:"final_prob"`
			Kept      bool
			Reason    string
		}
		Chosen struct {
			ID     int
			Text   string
			Reason string
			Prob   float64
		}
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Step != 3 || !slices.Equal(back.ContextIDs, s.ContextIDs) || back.Window != 2 || back.EntropyBits != 1.25 {
		t.Errorf("read back %+v from %s", back, raw)
	}
	texts := []string{"<|endoftext|>", "a\"b\n", `x\xe2\x82`}
	for i, c := range back.Candidates {
		w := s.Candidates[i]
		if c.ID != w.ID || c.Text != texts[i] || c.Prob != w.Prob || c.FinalProb != w.Final || c.Kept != w.Kept || c.Reason != string(w.Reason) {
			t.Errorf("candidate %d read back as %+v, want %+v with text %q", i, c, w, texts[i])
		}
	}
	if want := (struct {
		ID     int
		Text   string
		Reason string
		Prob   float64
	}{2, `x\xe2\x82`, "picked", 0}); !reflect.DeepEqual(back.Chosen, want) {
		t.Errorf("chosen read back as %+v, want %+v", back.Chosen, want)
	}
	if bytes.Contains(raw, []byte("logit")) {
		t.Errorf("the JSON has a logit field the documentation does not list: %s", raw)
	}
}
