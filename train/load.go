package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/transformer"
)

// checkpointDir finds the checkpoint to use in dir: dir itself if it is a
// checkpoint folder, else its best checkpoint, else its last.
func checkpointDir(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return dir, nil
	}
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("model folder %s does not exist; give the --out folder of a tick train run", dir)
		}
		return "", fmt.Errorf("model folder: %w", err)
	}
	for _, name := range []string{"best", "last"} {
		d := filepath.Join(dir, name)
		for _, candidate := range []string{d, d + ".old"} {
			if _, err := os.Stat(filepath.Join(candidate, stateFile)); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("%s holds no checkpoint (no best/ or last/ with %s); give the folder a tick train run wrote (--out)", dir, stateFile)
}

// LoadModel loads a trained model and the tokenizer it was trained with from
// a run folder (its best checkpoint, else its last) or a checkpoint folder.
func LoadModel(dir string) (*transformer.Model, Tokenizer, error) {
	ck, err := loadRun(dir)
	if err != nil {
		return nil, nil, err
	}
	return ck.model, ck.tok, nil
}

func loadRun(dir string) (*checkpoint, error) {
	d, err := checkpointDir(dir)
	if err != nil {
		return nil, err
	}
	ck, err := loadCheckpoint(d)
	if errors.Is(err, errNoCheckpoint) {
		return nil, fmt.Errorf("%s holds no checkpoint: %w", dir, err)
	}
	return ck, err
}

// EvalOptions say what tick eval measures.
type EvalOptions struct {
	Model   string  // run folder or checkpoint folder
	Data    string  // text file; "" = the text the model trained on
	Whole   bool    // score the whole file, not only its validation split
	ValFrac float64 // validation fraction; 0 = the run's --val-frac
	Batch   int     // windows per forward pass, at least 1; 0 = 16
}

// EvalResult is a model's loss on a text.
type EvalResult struct {
	LossStats
	Checkpoint string // the checkpoint folder used
	Step       int    // its training step
	Data       string // the text file scored
	Part       string // "validation split (last 10% of the tokens)" or "whole file"
}

// Evaluate scores a trained model on a text: the loss per token, perplexity
// and bits per byte over the validation split (the last ValFrac of its
// tokens, as in training) or the whole file, read in side-by-side windows of
// the model's context so that every token but the first is predicted once.
func Evaluate(o EvalOptions) (*EvalResult, error) {
	if o.Batch < 0 {
		return nil, fmt.Errorf("--batch %d is out of range: it must be at least 1", o.Batch)
	}
	ck, err := loadRun(o.Model)
	if err != nil {
		return nil, err
	}
	data := o.Data
	if data == "" {
		data = ck.state.Data.Name
	}
	name, text, err := readData(data)
	if err != nil {
		return nil, err
	}
	tokens, err := ck.tok.Encode(string(text))
	if err != nil {
		return nil, fmt.Errorf("tokenize %s: %w", name, err)
	}
	T := ck.model.Config.Context
	part := "whole file"
	if !o.Whole {
		frac := o.ValFrac
		if frac == 0 {
			frac = ck.state.Options.ValFrac
		}
		if _, tokens, err = SplitTokens(tokens, frac, T); err != nil {
			return nil, fmt.Errorf("%s: %w (or use --whole)", name, err)
		}
		part = fmt.Sprintf("validation split (last %.4g%% of the tokens)", 100*frac)
	} else if len(tokens) < 2 {
		return nil, fmt.Errorf("%s: too short to score: %d token(s), need at least 2", name, len(tokens))
	}
	batch := o.Batch
	if batch == 0 {
		batch = 16
	}
	s, err := windowLoss(ck.model, ck.tok, tokens, TilingWindows(len(tokens), T), batch)
	if err != nil {
		return nil, err
	}
	return &EvalResult{LossStats: s, Checkpoint: ck.dir, Step: ck.state.Step, Data: name, Part: part}, nil
}
