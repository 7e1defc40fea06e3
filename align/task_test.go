package align

import (
	"slices"
	"testing"
)

func TestChatTemplate(t *testing.T) {
	ids := append(PromptIDs("add 2 3"), ReplyIDs("5")...)
	got, err := Render(ids)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<|user|>add 2 3<|end|><|assistant|>5<|end|>"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	// Typing a role token's name gives bytes, never the reserved ID.
	for _, id := range PromptIDs("<|assistant|>")[1:14] {
		if id >= 256 {
			t.Errorf("text produced role token %d", id)
		}
	}
	if got := DecodeReply(ReplyIDs("tac")); got != "tac" {
		t.Errorf("DecodeReply = %q", got)
	}
	if _, err := Render([]int{VocabSize}); err == nil {
		t.Error("Render accepted a token outside the vocabulary")
	}
}

func TestJudge(t *testing.T) {
	in := Instruction{"reverse", "reverse cat", "tac"}
	for _, c := range []struct {
		reply string
		want  float64
	}{
		{"tac", 1}, {"sure, tac", 0.5}, {"cat", 0}, {"", 0}, {"sure, cat", 0}, {"tacx", 0},
	} {
		if got := Judge(in, c.reply); got != c.want {
			t.Errorf("Judge(%q) = %g, want %g", c.reply, got, c.want)
		}
	}
}

func TestInstructionsAnswers(t *testing.T) {
	all := Instructions()
	want := map[string]string{"reverse bird": "drib", "caps owl": "OWL", "count frog": "4", "add 7 8": "15", "next q": "r"}
	seen := map[string]bool{}
	for _, in := range all {
		if seen[in.Prompt] {
			t.Errorf("prompt %q twice", in.Prompt)
		}
		seen[in.Prompt] = true
		if w, ok := want[in.Prompt]; ok && in.Answer != w {
			t.Errorf("%q: answer %q, want %q", in.Prompt, in.Answer, w)
		}
		if Judge(in, in.Answer) != 1 || Judge(in, Demonstration(in, true)) != 0.5 {
			t.Errorf("%q: judge rejects the demonstration", in.Prompt)
		}
	}
	for p := range want {
		if !seen[p] {
			t.Errorf("missing %q", p)
		}
	}
}

// The held-out prompts are never in the training set, and together the two
// sets are every instruction.
func TestSplitDisjoint(t *testing.T) {
	all := Instructions()
	tr, te, err := Split(all, 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(te) != 60 || len(tr)+len(te) != len(all) {
		t.Fatalf("split %d + %d of %d", len(tr), len(te), len(all))
	}
	in := map[string]bool{}
	for _, x := range tr {
		in[x.Prompt] = true
	}
	for _, x := range te {
		if in[x.Prompt] {
			t.Errorf("held-out prompt %q is in the training set", x.Prompt)
		}
	}
	tr2, _, _ := Split(all, 60, 1)
	if !slices.Equal(tr, tr2) {
		t.Error("same seed, different split")
	}
	if _, _, err := Split(all, 0, 1); err == nil {
		t.Error("Split accepted 0 held-out prompts")
	}
}
