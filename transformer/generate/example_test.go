package generate_test

import (
	"fmt"
	"os"

	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// alphabet is a toy "model" over the letters a-e that has learned one thing:
// after a letter comes the next one (e wraps to a), else the one after. It
// reads only the last token, so its cache is just the list of tokens.
type alphabet struct{ ids []int }

func (m *alphabet) Push(id int) ([]float64, error) {
	m.ids = append(m.ids, id)
	logits := make([]float64, 5)
	logits[(id+1)%5] = 3
	logits[(id+2)%5] = 1.5
	return logits, nil
}

func (m *alphabet) Prefill(ids []int) ([]float64, error) {
	m.ids = m.ids[:0]
	var logits []float64
	for _, id := range ids {
		logits, _ = m.Push(id)
	}
	return logits, nil
}

func (m *alphabet) Slide(keep int) ([]float64, error) {
	return m.Prefill(append([]int(nil), m.ids[len(m.ids)-keep:]...))
}

func (m *alphabet) Len() int { return len(m.ids) }

func letter(id int) []byte { return []byte{byte('a' + id)} }

// Greedy generation streams the most probable continuation.
func ExampleLoop() {
	g, err := generate.NewWithCache(&alphabet{}, 4, []int{0, 1}, generate.Options{
		Sample: sample.Options{Temperature: 0, TopP: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	loop := generate.Loop{Stepper: g, TokenText: letter, Mode: generate.ModeText, MaxTokens: 8, Out: os.Stdout}
	res, err := loop.Run()
	fmt.Println(len(res.IDs), "tokens,", res.Stopped, err)
	// Output:
	// abcdeabcde
	// 8 tokens, max-tokens <nil>
}

// A step trace shows what the model proposed and why a token was taken.
// With top-k 2 the third candidate is cut; the seed fixes the draw.
func ExampleRenderStep() {
	g, err := generate.NewWithCache(&alphabet{}, 4, []int{0, 1}, generate.Options{
		Sample: sample.Options{Temperature: 1, TopK: 2, TopP: 1}, Seed: 1, Top: 3, TokenText: letter,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := g.Propose()
	if err != nil {
		fmt.Println(err)
		return
	}
	generate.RenderStep(os.Stdout, s, []byte("ab"), 64)
	// Output:
	// ── step 1 ──────────────────────────────────────────────────────
	// context (2 tokens): ab
	// entropy 1.28 bits (as unsure as a fair pick among 2.4 tokens)
	//     # id  token            prob
	//     0  2  "c"             72.9% █████████████▉
	// ▶   1  3  "d"             16.3% ███▏
	//     2  0  "a"              3.6% ▊                   cut by top-k
	// chosen: 3 "d", sampled with p=0.182
}
