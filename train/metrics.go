package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/inputfile"
)

// metricsFile is the run folder's log of every step and evaluation.
const metricsFile = "metrics.jsonl"

// Metric is one line of DIR/metrics.jsonl. Kind "step" lines come after
// every optimiser step, kind "eval" lines after every evaluation.
type Metric struct {
	Kind string `json:"kind"` // "step" | "eval"
	Step int    `json:"step"`

	// Step lines.
	Loss      float64 `json:"loss,omitempty"`         // mean training loss of the step's batches
	LR        float64 `json:"lr,omitempty"`           // learning rate used
	GradNorm  float64 `json:"grad_norm,omitempty"`    // global gradient norm before clipping
	TokensSec float64 `json:"tokens_per_s,omitempty"` // training tokens / training time so far in this process

	// Eval lines: mean loss on the fixed training and validation windows.
	TrainLoss float64 `json:"train_loss,omitempty"`
	ValLoss   float64 `json:"val_loss,omitempty"`
}

// metricsLog appends metrics to a JSON-lines file, a whole line at a
// time: a write that fails part-way (a full disk) is cut off again, so the
// file never ends in half a line. (If even that fails, or the process is
// killed mid-write, the reader drops an unfinished last line: see
// ReadMetrics.)
type metricsLog struct {
	f    *os.File
	w    io.Writer // f; tests put an error-injecting writer here
	size int64     // bytes of whole lines in f
}

func openMetrics(path string) (*metricsLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	return &metricsLog{f: f, w: f, size: st.Size()}, nil
}

func (l *metricsLog) add(m Metric) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	n, err := l.w.Write(append(b, '\n'))
	if err != nil {
		if n > 0 {
			// Take back the part that was written; appends go to the end,
			// so the next line starts where this one did.
			l.f.Truncate(l.size)
		}
		return fmt.Errorf("metrics: %w", err)
	}
	l.size += int64(n)
	return nil
}

func (l *metricsLog) close() error { return l.f.Close() }

// ReadMetrics reads a metrics.jsonl file; a missing file is no metrics.
// A last line without its newline that is not valid JSON is dropped: it is
// one whose writing was cut short (a full disk, a kill), or is still being
// written by the run. A damaged line anywhere else is an error.
func ReadMetrics(path string) ([]Metric, error) {
	ms, _, err := readMetrics(path)
	return ms, err
}

// readMetrics is ReadMetrics, also reporting whether the file ends
// without a newline (an unfinished last line, dropped or not), which an
// append must not be glued to.
func readMetrics(path string) ([]Metric, bool, error) {
	data, err := inputfile.ReadFile(path) // regular files only: a link to /dev/zero never ends
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read metrics: %w; move it aside to continue the run without its history", err)
	}
	var ms []Metric
	unfinished := len(data) > 0 && data[len(data)-1] != '\n'
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, b := range lines {
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var m Metric
		if err := json.Unmarshal(b, &m); err != nil {
			if i == len(lines)-1 && !bytes.HasSuffix(b, []byte("\n")) {
				return ms, true, nil // cut short
			}
			return nil, false, fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
		ms = append(ms, m)
	}
	return ms, unfinished, nil
}

// trimMetrics drops the lines after step (a run killed after its last
// checkpoint logged steps that the resumed run will redo) and an
// unfinished last line, and rewrites the file atomically. It returns the
// lines kept.
func trimMetrics(path string, step int) ([]Metric, error) {
	ms, unfinished, err := readMetrics(path)
	if err != nil {
		return nil, err
	}
	keep := ms[:0]
	for _, m := range ms {
		if m.Step <= step {
			keep = append(keep, m)
		}
	}
	if len(keep) == len(ms) && !unfinished {
		return keep, nil
	}
	var buf bytes.Buffer
	for _, m := range keep {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		buf.Write(append(b, '\n'))
	}
	return keep, atomicfile.WriteFile(path, buf.Bytes())
}
