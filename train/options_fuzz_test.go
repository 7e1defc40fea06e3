package train

import (
	"encoding/json"
	"testing"

	"github.com/tick-llm/tick/internal/memory"
)

// FuzzSavedOptions reads options as --resume reads them from a run's
// state.json, whatever bytes it holds: decoding and Validate must never
// panic, and options that pass Validate and ModelConfig must fit the
// (pretend, 4 GB) machine by the estimate, so nothing a damaged or
// hand-edited state.json says can make a run allocate what it cannot hold.
func FuzzSavedOptions(f *testing.F) {
	def, _ := json.Marshal(DefaultOptions())
	f.Add(def)
	f.Add([]byte(`{"preset":"gpt","layers":100000,"heads":4,"dim":128,"context":64,"batch":12,"val-frac":0.1}`))
	f.Add([]byte(`{"preset":"llama","layers":4,"heads":4,"dim":16384,"context":131072,"batch":1000000000,"eval-batches":1000000000}`))
	f.Add([]byte(`{"steps":-5,"batch":1e15}`))
	defer memory.SetMachineForTest(memory.Limit{Bytes: 4e9, Source: "pretend"}, true)()
	f.Fuzz(func(t *testing.T, raw []byte) {
		o := DefaultOptions()
		if err := json.Unmarshal(raw, &o); err != nil {
			return
		}
		o.Out = "run"
		if o.Validate() != nil {
			return
		}
		for _, vocab := range []int{1, 256, 100277} {
			cfg, err := o.ModelConfig(vocab)
			if err != nil {
				continue
			}
			if need := total(o.memoryOf(cfg)); need > 4e9 {
				t.Fatalf("options %s pass with a vocabulary of %d but need %s", raw, vocab, memory.Format(need))
			}
		}
	})
}
