package align

import (
	"math"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

func byteModel(t *testing.T, preset string, context int) *transformer.Model {
	t.Helper()
	cfg, err := transformer.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim = 256, context, 1, 16, 32
	cfg.Heads, cfg.KVHeads = 2, 2
	m, err := transformer.New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A byte-level base in the chat vocabulary reads bytes exactly as before:
// on text, every byte's logit is the base's (the new rows are only read
// for role tokens), for a tied head (gpt) and an untied one (llama).
func TestChatModelKeepsBytes(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		base := byteModel(t, preset, 32)
		chat, err := ChatModel(base, tokenizer.Byte{}, "base")
		if err != nil {
			t.Fatal(err)
		}
		if chat.Config.VocabSize != VocabSize {
			t.Fatalf("%s: vocabulary %d", preset, chat.Config.VocabSize)
		}
		ids := []int{'c', 'a', 't', ' ', 'd', 'o', 'g'}
		lb, err := base.NewCache().Prefill(ids)
		if err != nil {
			t.Fatal(err)
		}
		lc, err := chat.NewCache().Prefill(ids)
		if err != nil {
			t.Fatal(err)
		}
		for v := range 256 {
			if math.Abs(lb[v]-lc[v]) > 1e-12 {
				t.Fatalf("%s: byte %d logit %g, base %g", preset, v, lc[v], lb[v])
			}
		}
		// The role tokens start as the mean byte: their logit is the mean.
		mean := 0.0
		for v := range 256 {
			mean += lb[v] / 256
		}
		if preset == "gpt" && math.Abs(lc[End]-mean) > 1e-9 {
			t.Errorf("<|end|> logit %g, mean byte logit %g", lc[End], mean)
		}
		again, err := ChatModel(chat, mustChatTok(t), "chat")
		if err != nil || again != chat {
			t.Errorf("a chat model was not passed through: %v", err)
		}
	}
}

func mustChatTok(t *testing.T) tokenizer.Tokenizer {
	tok, _, err := ChatTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestChatModelRefuses(t *testing.T) {
	char, _ := tokenizer.NewChar("abc")
	for _, c := range []struct {
		name string
		m    *transformer.Model
		tok  tokenizer.Tokenizer
		want string
	}{
		{"short context", byteModel(t, "gpt", 8), tokenizer.Byte{}, "context 8"},
		{"char tokenizer", byteModel(t, "gpt", 32), char, "byte-level"},
	} {
		if _, err := ChatModel(c.m, c.tok, "run"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
}

// The chat tokenizer has the bytes and the role tokens as special tokens,
// and text spelling a role token's name stays bytes.
func TestChatTokenizer(t *testing.T) {
	tok := mustChatTok(t)
	if !isChatTokenizer(tok) {
		t.Fatal("not the chat vocabulary")
	}
	ids, err := tok.Encode("<|user|>hi")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len("<|user|>hi") {
		t.Errorf("text %q encoded to %v: a role token was forged", "<|user|>hi", ids)
	}
	if got := string(tok.Decode(append(PromptIDs("add 2 3"), ReplyIDs("5")...))); got != "<|user|>add 2 3<|end|><|assistant|>5<|end|>" {
		t.Errorf("decoded %q", got)
	}
}
