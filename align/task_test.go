package align

import (
	"fmt"
	"slices"
	"strings"
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

// Synthetic words are never task words (so held-out prompts stay unseen),
// are distinct, 3 to 5 letters, and the same for the same seed; their
// instructions have the right answers.
func TestSyntheticWords(t *testing.T) {
	words := SyntheticWords(2000, 4)
	task := map[string]bool{}
	for _, w := range taskWords {
		task[w] = true
	}
	seen := map[string]bool{}
	for _, w := range words {
		if task[w] || seen[w] || len(w) < 3 || len(w) > 5 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Fatalf("bad synthetic word %q", w)
		}
		seen[w] = true
	}
	if !slices.Equal(words, SyntheticWords(2000, 4)) {
		t.Error("same seed, other words")
	}
	held := map[string]bool{}
	for _, in := range Instructions() {
		held[in.Prompt] = true
	}
	for _, in := range Synthetic(50, 4) {
		if held[in.Prompt] {
			t.Errorf("synthetic prompt %q is a task prompt", in.Prompt)
		}
		w := strings.Fields(in.Prompt)[1]
		var want string
		switch in.Kind {
		case "reverse":
			r := []rune(w)
			slices.Reverse(r)
			want = string(r)
		case "caps":
			want = strings.ToUpper(w)
		case "count":
			want = fmt.Sprint(len(w))
		}
		if in.Answer != want {
			t.Errorf("%q: answer %q, want %q", in.Prompt, in.Answer, want)
		}
	}
}
