package main

import "testing"

// tick align refuses a bad β, KL coefficient or step count in one line,
// before any training.
func TestAlignBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ args []string }{
		{[]string{"align", "--beta", "0"}},
		{[]string{"align", "--beta", "-0.5"}},
		{[]string{"align", "--kl", "-1"}},
		{[]string{"align", "--sft-steps", "0"}},
		{[]string{"align", "extra"}},
	} {
		checkBadInput(t, tick(t, dir, "", c.args...), c.args[len(c.args)-1])
	}
}
