package align

import (
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// CheckRewardFor refuses a reward model of another vocabulary or shape than
// the SFT model, naming both, and accepts one started from it.
func TestCheckRewardFor(t *testing.T) {
	s := Sizes{Layers: 1, Heads: 2, Dim: 16}
	sft, err := NewModel(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	other := func(change func(*transformer.Config)) *RewardModel {
		cfg := sft.Config
		change(&cfg)
		m, err := transformer.New(cfg, 2)
		if err != nil {
			t.Fatal(err)
		}
		rm, err := NewRewardModel(m)
		if err != nil {
			t.Fatal(err)
		}
		return rm
	}
	for _, c := range []struct {
		name string
		rm   *RewardModel
		want []string // nil: accepted
	}{
		{"same", other(func(*transformer.Config) {}), nil},
		{"vocabulary", other(func(c *transformer.Config) { c.VocabSize = 300 }), []string{"rm", "300 tokens", "sft", "259"}},
		{"width", other(func(c *transformer.Config) { c.Dim, c.FFDim = 24, 96 }), []string{"another shape", "width 24", "width 16"}},
	} {
		err := CheckRewardFor(c.rm, sft, "rm", "sft")
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted a reward model of another %s", c.name, c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %q", c.name, err, w)
			}
		}
	}
}
