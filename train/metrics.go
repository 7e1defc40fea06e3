package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tick-llm/tick/internal/atomicfile"
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

// metricsLog appends metrics to a JSON-lines file.
type metricsLog struct {
	f *os.File
}

func openMetrics(path string) (*metricsLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	return &metricsLog{f: f}, nil
}

func (l *metricsLog) add(m Metric) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

func (l *metricsLog) close() error { return l.f.Close() }

// ReadMetrics reads a metrics.jsonl file; a missing file is no metrics.
func ReadMetrics(path string) ([]Metric, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	var ms []Metric
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m Metric
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

// trimMetrics drops the lines after step (a run killed after its last
// checkpoint logged steps that the resumed run will redo) and rewrites the
// file atomically. It returns the lines kept.
func trimMetrics(path string, step int) ([]Metric, error) {
	ms, err := ReadMetrics(path)
	if err != nil {
		return nil, err
	}
	keep := ms[:0]
	for _, m := range ms {
		if m.Step <= step {
			keep = append(keep, m)
		}
	}
	if len(keep) == len(ms) {
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
