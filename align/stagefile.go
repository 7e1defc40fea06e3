package align

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// A stage's Save writes a checkpoint in tick train's format (package
// checkpoint, atomically), so every model a stage trains loads with
// checkpoint.LoadModel and `tick generate --model DIR` reads it:
//
//	config.json, model.safetensors   the model, vocabulary 259 (bytes + role tokens)
//	optimizer.safetensors            its AdamW moments
//	chat.tiktoken, chat.json         the chat tokenizer: 256 byte tokens, the role tokens special
//	tokenizer.json                   which says so
//	state.json                       steps done, AdamW's count, the stage's own state (StageState)

// chatSpecials are the role tokens as the tokenizer's special tokens.
func chatSpecials() map[string]int {
	s := map[string]int{}
	for id, name := range roleNames {
		s[name] = id
	}
	return s
}

var chatTok struct {
	once sync.Once
	tok  tokenizer.Tokenizer
	spec tokenizer.Spec
	err  error
}

// ChatTokenizer is the tokenizer of every model a stage writes: the 256
// byte values (no merges) and the role tokens <|user|>, <|assistant|>,
// <|end|> as special tokens 256-258. It is a .tiktoken rank file with its
// sidecar, the format tick already stores in checkpoints, so a checkpoint
// carries its own copy.
func ChatTokenizer() (tokenizer.Tokenizer, tokenizer.Spec, error) {
	chatTok.once.Do(func() {
		chatTok.tok, chatTok.spec, chatTok.err = buildChatTokenizer()
	})
	return chatTok.tok, chatTok.spec, chatTok.err
}

func buildChatTokenizer() (tokenizer.Tokenizer, tokenizer.Spec, error) {
	dir, err := os.MkdirTemp("", "tick-chat-tokenizer-")
	if err != nil {
		return nil, tokenizer.Spec{}, fmt.Errorf("chat tokenizer: %w", err)
	}
	defer os.RemoveAll(dir)
	var ranks strings.Builder
	for b := range 256 {
		fmt.Fprintf(&ranks, "%s %d\n", base64.StdEncoding.EncodeToString([]byte{byte(b)}), b)
	}
	side, err := json.Marshal(tokenizer.Sidecar{Pattern: "none", SpecialTokens: chatSpecials()})
	if err != nil {
		return nil, tokenizer.Spec{}, err
	}
	path := filepath.Join(dir, "chat.tiktoken")
	if err := os.WriteFile(path, []byte(ranks.String()), 0o644); err != nil {
		return nil, tokenizer.Spec{}, fmt.Errorf("chat tokenizer: %w", err)
	}
	if err := os.WriteFile(tokenizer.SidecarPath(path), side, 0o644); err != nil {
		return nil, tokenizer.Spec{}, fmt.Errorf("chat tokenizer: %w", err)
	}
	tok, spec, err := tokenizer.Build(path, "")
	if err != nil {
		return nil, tokenizer.Spec{}, fmt.Errorf("chat tokenizer: %w", err)
	}
	spec.Source = "tick align's chat vocabulary"
	if tok.VocabSize() != VocabSize {
		return nil, tokenizer.Spec{}, fmt.Errorf("chat tokenizer: %d tokens, want %d", tok.VocabSize(), VocabSize)
	}
	return tok, spec, nil
}

// StageState is what a stage checkpoint's state.json records beside the
// model and its AdamW moments (checkpoint.State.Options): which stage, its
// budget, and the state only it has (the reward model's head, DPO's β).
type StageState struct {
	Stage string  `json:"stage"`
	Steps int     `json:"steps"`
	Batch int     `json:"batch"`
	LR    float64 `json:"lr"`
	Seed  uint64  `json:"seed"`
	Beta  float64 `json:"beta,omitempty"` // DPO's β
	// Head is the reward model's scalar head and its AdamW state.
	Head *HeadState `json:"head,omitempty"`
}

// HeadState is a reward head r = w·h + b and its AdamW moments; JSON
// writes every float64 so that it reads back bit for bit.
type HeadState struct {
	W []float64 `json:"w"`
	B float64   `json:"b"`
	M []float64 `json:"m"` // AdamW's first moments of w then b
	V []float64 `json:"v"` // and second moments
	T int       `json:"t"` // AdamW's update count
}

// sameRun reports whether two stage states describe one run: same
// stage, budget, seed and β (the head's values are not compared).
func (s StageState) sameRun(o StageState) bool {
	return s.Stage == o.Stage && s.Steps == o.Steps && s.Batch == o.Batch && s.LR == o.LR && s.Seed == o.Seed && s.Beta == o.Beta
}

// stageStateOf is the StageState of a stage with plan p.
func stageStateOf(name string, p Plan) StageState {
	return StageState{Stage: name, Steps: p.Steps, Batch: p.Batch, LR: p.LR, Seed: p.Seed}
}

// saveStage writes a stage checkpoint to dir atomically (checkpoint.Save):
// m, the AdamW state of opt, done steps, and st.
func saveStage(dir string, m *transformer.Model, opt *train.Optimizer, done int, st StageState) error {
	ck, err := stageCheckpoint(m, opt, done, st)
	if err != nil {
		return err
	}
	return checkpoint.Save(dir, ck)
}

// stageCheckpoint is the checkpoint saveStage writes: m with the chat
// tokenizer, opt's moments, and state.json holding done and st (any value
// that marshals to JSON: a StageState, or a stage's own with more fields).
func stageCheckpoint(m *transformer.Model, opt *train.Optimizer, done int, st any) (*checkpoint.Checkpoint, error) {
	_, spec, err := ChatTokenizer()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return &checkpoint.Checkpoint{
		State:   checkpoint.State{Step: done, AdamT: opt.AdamW.T, Options: raw},
		Model:   m,
		TokSpec: spec,
		M:       opt.AdamW.M, V: opt.AdamW.V,
	}, nil
}

// loadStage reads a stage checkpoint written by saveStage into m and opt
// (same shapes) and returns the steps done and the saved StageState. want
// is the state the stage was set up with: a checkpoint of another stage or
// budget is refused, since continuing it would be another run.
func loadStage(dir string, m *transformer.Model, opt *train.Optimizer, want StageState) (done int, st StageState, err error) {
	ck, err := checkpoint.Load(dir)
	if err != nil {
		return 0, st, err
	}
	if err := json.Unmarshal(ck.State.Options, &st); err != nil || st.Stage == "" {
		return 0, st, fmt.Errorf("checkpoint %s is not a tick align stage checkpoint (its state.json names no stage)", dir)
	}
	if st.Stage != want.Stage {
		return 0, st, fmt.Errorf("checkpoint %s is of the %s stage, not %s; give a %s run's folder", dir, st.Stage, want.Stage, want.Stage)
	}
	if !st.sameRun(want) {
		return 0, st, fmt.Errorf("cannot resume %s with other settings: it ran %d steps of %d at lr %g, seed %d, β %g; now %d of %d at lr %g, seed %d, β %g: give the same flags, or use a new --out",
			dir, st.Steps, st.Batch, st.LR, st.Seed, st.Beta, want.Steps, want.Batch, want.LR, want.Seed, want.Beta)
	}
	if ck.Model.Config != m.Config {
		return 0, st, fmt.Errorf("cannot resume %s: its model %+v differs from %+v", dir, ck.Model.Config, m.Config)
	}
	if err := copyParams(m, ck.Model); err != nil {
		return 0, st, err
	}
	opt.AdamW.T = ck.State.AdamT
	for i := range opt.AdamW.M {
		copy(opt.AdamW.M[i], ck.M[i])
		copy(opt.AdamW.V[i], ck.V[i])
	}
	return ck.State.Step, st, nil
}

// copyParams copies every parameter value of src into dst (same config).
func copyParams(dst, src *transformer.Model) error {
	dp, sp := dst.Params(), src.Params()
	if len(dp) != len(sp) {
		return fmt.Errorf("copy model: %d parameters, want %d", len(sp), len(dp))
	}
	for i := range dp {
		if !slices.Equal(dp[i].Shape(), sp[i].Shape()) {
			return fmt.Errorf("copy model: %s is %v, want %v", sp[i].Name, sp[i].Shape(), dp[i].Shape())
		}
		dp[i].Value.Copy(sp[i].Value)
	}
	return nil
}
