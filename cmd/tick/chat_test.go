package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tick-llm/tick/align"
	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/transformer"
)

var (
	chatOnce sync.Once
	chatRun  string
	chatErr  error
)

// tinyChatRun is a chat-tuned checkpoint: a tiny model after a few SFT
// steps on the toy task, saved by the SFT stage with the chat tokenizer.
func tinyChatRun(t *testing.T) string {
	t.Helper()
	chatOnce.Do(func() {
		// A context of 64 tokens, twice the task's, so that two turns fit.
		cfg, err := transformer.Preset("gpt")
		if err != nil {
			chatErr = err
			return
		}
		cfg.VocabSize, cfg.Context = align.VocabSize, 64
		cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = 1, 2, 2, 16, 64
		m, err := transformer.New(cfg, 1)
		if err != nil {
			chatErr = err
			return
		}
		st, err := align.NewSFTStage(m, align.Instructions(), align.Plan{Steps: 200, Batch: 8, LR: 1e-2, Seed: 1})
		if err != nil {
			chatErr = err
			return
		}
		for i := range st.Steps() {
			if _, err := st.Step(i); err != nil {
				chatErr = err
				return
			}
		}
		dir := filepath.Join(workDir, "chat")
		if chatErr = os.MkdirAll(dir, 0o755); chatErr != nil {
			return
		}
		chatRun = filepath.Join(dir, "last")
		chatErr = st.Save(chatRun)
	})
	if chatErr != nil {
		t.Fatalf("the chat fixture: %v", chatErr)
	}
	return chatRun
}

// greedyReply is the reference: the most probable token at every step
// after prompt, read off the model's KV cache, until <|end|> or <|user|>
// or n tokens.
func greedyReply(t *testing.T, m *transformer.Model, prompt []int, n int) []int {
	t.Helper()
	c := m.NewCache()
	logits, err := c.Prefill(prompt)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for len(out) < n {
		best := 0
		for v, z := range logits {
			if z > logits[best] {
				best = v
			}
		}
		if best == align.End || best == align.User {
			break
		}
		out = append(out, best)
		if logits, err = c.Push(best); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// replies are the assistant's lines of a chat's output.
func replies(out string) []string {
	var r []string
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "assistant> "); i >= 0 {
			r = append(r, l[i+len("assistant> "):])
		}
	}
	return r
}

// text spells chat-vocabulary ids as the chat tokenizer decodes them.
func chatText(ids []int) string {
	s, _ := align.Render(ids)
	return s
}

// Two messages through stdin, greedily: each reply is the greedy
// continuation of the whole conversation rendered with the chat template
// (built here with align.PromptIDs, independently of tick chat's), and the
// second turn reads the first.
func TestChatGreedyThroughStdin(t *testing.T) {
	run := tinyChatRun(t)
	m, _, err := checkpoint.LoadModel(run)
	if err != nil {
		t.Fatal(err)
	}
	const maxTokens = 10
	msgs := []string{"reverse cat", "add 2 3", "caps dog"} // the three turns fit the context of 64 tokens
	r := tick(t, t.TempDir(), strings.Join(msgs, "\n")+"\n", "chat", "--model", run, "--temperature", "0", "--max-tokens", "10")
	mustSucceed(t, r)
	got := replies(r.stdout)
	if strings.Contains(r.stdout, "(forgot") {
		t.Fatalf("the conversation should fit the context:\n%s", r)
	}
	if len(got) != len(msgs) {
		t.Fatalf("%d replies for %d messages:\n%s", len(got), len(msgs), r)
	}
	var history []int
	for i, msg := range msgs {
		prompt := append(append([]int(nil), history...), align.PromptIDs(msg)...)
		want := greedyReply(t, m, prompt, min(maxTokens, m.Config.Context-len(prompt)))
		if got[i] != chatText(want) {
			t.Errorf("reply %d to %q: %q; the greedy continuation is %q", i, msg, got[i], chatText(want))
		}
		history = append(append(prompt, want...), align.End)
	}
}

// A conversation longer than the context forgets its oldest turns and
// says so; a message too long for the context alone is refused with one
// line and the chat goes on.
func TestChatContext(t *testing.T) {
	run := tinyChatRun(t)
	long := strings.Repeat("x", 70)
	r := tick(t, t.TempDir(), "add 1 1\nadd 2 2\nnext c\nnext d\n"+long+"\nnext e\n", "chat", "--model", run, "--temperature", "0", "--max-tokens", "10")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "(forgot the oldest") {
		t.Errorf("four turns in a context of 64 tokens, and nothing was forgotten:\n%s", r)
	}
	if n := len(replies(r.stdout)); n != 5 {
		t.Errorf("%d replies, want 5 (the long message is refused, the others answered):\n%s", n, r)
	}
	if !strings.Contains(r.stderr, "write less") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("the long message: want one line on stderr that says to write less:\n%s", r)
	}
}

// A run without role tokens, and bad flags, are one-line errors.
func TestChatBadInput(t *testing.T) {
	plain, _, _, _ := tinyTrained(t)
	dir := t.TempDir()
	checkBadInput(t, tick(t, dir, "hi\n", "chat", "--model", plain), "no role tokens", "<|user|>", "tick align")
	checkBadInput(t, tick(t, dir, "", "chat"), "--model")
	checkBadInput(t, tick(t, dir, "", "chat", "--model", tinyChatRun(t), "--max-tokens", "0"), "--max-tokens")
	checkBadInput(t, tick(t, dir, "", "chat", "--model", tinyChatRun(t), "--temperature", "-1"), "temperature")
}

// --step through a pipe traces every reply token with the template's role
// tokens in the context, and the reply is the one without --step.
func TestChatStepTrace(t *testing.T) {
	run := tinyChatRun(t)
	dir := t.TempDir()
	plain := tick(t, dir, "caps cat\n", "chat", "--model", run, "--seed", "4", "--max-tokens", "5")
	mustSucceed(t, plain)
	step := tick(t, dir, "caps cat\n", "chat", "--model", run, "--seed", "4", "--max-tokens", "5", "--step")
	mustSucceed(t, step)
	if !strings.Contains(step.stdout, "── step 1 ") || !strings.Contains(step.stdout, "<|user|>caps cat<|end|><|assistant|>") {
		t.Errorf("--step shows no trace with the chat template:\n%s", step)
	}
	if a, b := replies(plain.stdout), replies(step.stdout); len(a) != 1 || len(b) != 1 || a[0] != b[0] {
		t.Errorf("reply %q without --step, %q with it", a, b)
	}
}
