package bench

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:embed scripts/train_torch.py
var trainTorchScript []byte

//go:embed scripts/generate_torch.py
var generateTorchScript []byte

// DefaultPython is Debian's interpreter, where python3-torch installs.
const DefaultPython = "/usr/bin/python3"

// Peer is a program timed beside tick on the same work.
type Peer interface {
	// Name labels the peer in the report.
	Name() string
	// Run does the work with the given number of threads and returns the
	// rates (tokens/s) of repeats timed runs.
	Run(threads, repeats int) ([]float64, error)
}

// peerTimeout bounds one run of a peer: a hung peer must not hang tick.
const peerTimeout = 10 * time.Minute

// HasTorch reports whether python can import torch, and why not.
func HasTorch(python string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", "import torch; print(torch.__version__)").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import torch (install Debian's python3-torch, or give --python): %s", python, lastLine(out, err))
	}
	return nil
}

// torchPeer runs an embedded PyTorch script; args come before threads,
// steps and repeats on its command line.
type torchPeer struct {
	python, version string
	script          []byte
	args            []int
	work            int // steps (train) or tokens (generate) per timed run
}

func (p *torchPeer) Name() string { return "PyTorch " + p.version + " float32" }

func (p *torchPeer) Run(threads, repeats int) ([]float64, error) {
	dir, err := os.MkdirTemp("", "tick-bench-")
	if err != nil {
		return nil, fmt.Errorf("PyTorch peer: %w", err)
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "peer.py")
	if err := os.WriteFile(script, p.script, 0o600); err != nil {
		return nil, fmt.Errorf("PyTorch peer: %w", err)
	}
	args := []string{script}
	for _, a := range append(append([]int(nil), p.args...), threads, p.work, repeats) {
		args = append(args, strconv.Itoa(a))
	}
	out, err := runPeer(p.python, args, threads)
	if err != nil {
		return nil, fmt.Errorf("PyTorch peer: %w", err)
	}
	var rates []float64
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct {
			TokPerS float64 `json:"tok_per_s"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || !(r.TokPerS > 0) {
			return nil, fmt.Errorf("PyTorch peer printed %q, not {\"tok_per_s\": N}", line)
		}
		rates = append(rates, r.TokPerS)
	}
	if len(rates) != repeats {
		return nil, fmt.Errorf("PyTorch peer printed %d results, want %d", len(rates), repeats)
	}
	return rates, nil
}

func newTorchPeer(python string, script []byte, work int, args ...int) (*torchPeer, error) {
	if err := HasTorch(python); err != nil {
		return nil, err
	}
	out, _ := exec.Command(python, "-c", "import torch; print(torch.__version__)").Output()
	return &torchPeer{python: python, version: strings.TrimSpace(string(out)), script: script, args: args, work: work}, nil
}

// runPeer runs a peer program with its thread count set the ways C and
// Python programs read it (OpenMP and PyTorch), and returns its stdout.
func runPeer(path string, args []string, threads int) ([]byte, error) {
	out, _, err := runPeerBoth(path, args, threads)
	return out, err
}

// runPeerBoth is runPeer returning standard error too.
func runPeerBoth(path string, args []string, threads int) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	t := strconv.Itoa(threads)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+t, "MKL_NUM_THREADS="+t, "OPENBLAS_NUM_THREADS="+t)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("%s did not finish within %s", path, peerTimeout)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s failed: %s", path, lastLine(errBuf.Bytes(), err))
	}
	return out, errBuf.Bytes(), nil
}

func lastLine(out []byte, err error) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return l
	}
	return err.Error()
}

// llmcPeer runs an llm.c CPU trainer and reads the time of each step from
// its "step N: train loss X (took Y ms)" lines.
type llmcPeer struct {
	path       string
	args       []string
	stepTokens int
}

var llmcTook = regexp.MustCompile(`took ([0-9.]+) ms`)

func (p *llmcPeer) Name() string { return "llm.c (" + filepath.Base(p.path) + ")" }

func (p *llmcPeer) Run(threads, repeats int) ([]float64, error) {
	var rates []float64
	for range repeats {
		out, err := runPeer(p.path, p.args, threads)
		if err != nil {
			return nil, fmt.Errorf("llm.c peer: %w", err)
		}
		var ms []float64
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if m := llmcTook.FindStringSubmatch(sc.Text()); m != nil {
				v, err := strconv.ParseFloat(m[1], 64)
				if err == nil && v > 0 {
					ms = append(ms, v)
				}
			}
		}
		if len(ms) < 2 {
			return nil, fmt.Errorf("llm.c peer: %s printed %d \"took N ms\" step lines, need at least 2 (the first is a warm-up)", p.path, len(ms))
		}
		total := 0.0
		for _, v := range ms[1:] {
			total += v
		}
		rates = append(rates, float64(p.stepTokens*(len(ms)-1))/(total/1000))
	}
	return rates, nil
}

// llama2cPeer runs llama2.c's run binary greedily and reads its
// "achieved tok/s: N" line.
type llama2cPeer struct {
	path string
	args []string
}

var llama2cRate = regexp.MustCompile(`achieved tok/s: ([0-9.]+)`)

func (p *llama2cPeer) Name() string { return "llama2.c (" + filepath.Base(p.path) + ")" }

func (p *llama2cPeer) Run(threads, repeats int) ([]float64, error) {
	var rates []float64
	for range repeats {
		out, errOut, err := runPeerBoth(p.path, p.args, threads)
		if err != nil {
			return nil, fmt.Errorf("llama2.c peer: %w", err)
		}
		// run.c prints the rate on standard error.
		m := llama2cRate.FindSubmatch(append(out, errOut...))
		if m == nil {
			return nil, errors.New("llama2.c peer: no \"achieved tok/s: N\" line in its output")
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		rates = append(rates, v)
	}
	return rates, nil
}
