package main

import (
	"github.com/tick-llm/tick/demos/internal/seqtask"
	"github.com/tick-llm/tick/transformer"
)

// mistake is a problem the model got wrong.
type mistake struct{ a, b, got int }

// accuracy answers each problem greedily, digit by digit, and returns the
// fraction right and the mistakes.
func accuracy(t task, m *transformer.Model, problems []int) (float64, []mistake, error) {
	answers, err := seqtask.Complete(t, m, problems)
	if err != nil {
		return 0, nil, err
	}
	var wrong []mistake
	for i, id := range problems {
		a, b := t.problem(id)
		if got := t.decodeSum(answers[i]); got != a+b {
			wrong = append(wrong, mistake{a, b, got})
		}
	}
	return 1 - float64(len(wrong))/float64(len(problems)), wrong, nil
}
