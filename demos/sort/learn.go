package main

import (
	"slices"

	"github.com/tick-llm/tick/demos/internal/seqtask"
	"github.com/tick-llm/tick/transformer"
)

// mistake is an input the model sorted wrong.
type mistake struct{ in, want, got []int }

// accuracy writes the sorted half for each input greedily, token by token,
// and returns the fraction entirely right and the mistakes.
func accuracy(t task, m *transformer.Model, inputs []int) (float64, []mistake, error) {
	answers, err := seqtask.Complete(t, m, inputs)
	if err != nil {
		return 0, nil, err
	}
	var wrong []mistake
	want := make([]int, t.SeqLen())
	for i, id := range inputs {
		t.Encode(want, id)
		if !slices.Equal(answers[i], want[t.PromptLen():]) {
			wrong = append(wrong, mistake{slices.Clone(want[:t.PromptLen()]), slices.Clone(want[t.PromptLen():]), answers[i]})
		}
	}
	return 1 - float64(len(wrong))/float64(len(inputs)), wrong, nil
}
