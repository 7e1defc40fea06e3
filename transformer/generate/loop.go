package generate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tick-llm/tick/tokenizer"
)

// Mode is how a Loop shows generation.
type Mode int

const (
	// ModeText streams the generated text as it comes, after the prompt.
	ModeText Mode = iota
	// ModeTrace prints every step as a table (RenderStep), without waiting.
	ModeTrace
	// ModeInteractive prints every step and waits for a line on In: Enter
	// takes the sampler's choice, a digit picks that candidate instead, "a"
	// runs to the end (streaming text), "q" quits.
	ModeInteractive
	// ModeJSON writes one JSON object (a Step) per line, for programs.
	ModeJSON
)

// Loop runs generation to the end: it asks a Stepper for steps, shows them
// as Mode says, and stops after MaxTokens tokens, at a stop token, or when
// the user quits.
type Loop struct {
	Stepper   Stepper
	TokenText TokenText
	Mode      Mode
	// MaxTokens is how many tokens to generate at most (>= 1).
	MaxTokens int
	// Stop reports whether a token ends the text (end-of-text); nil means
	// none does. A stop token is shown in traces but not in the text.
	Stop func(id int) bool
	// In gives the user's keys in ModeInteractive, one line per step.
	In io.Reader
	// Out receives text, traces or JSON.
	Out io.Writer
	// Width is the terminal width for traces (80 if 0).
	Width int
	// Header, if set, is printed above a trace (e.g. Generator.Settings).
	Header string
}

// Result is how a run ended.
type Result struct {
	// IDs are the generated tokens (prompt and stop token excluded).
	IDs []int
	// Text is the prompt followed by the generated text.
	Text []byte
	// Stopped is "max-tokens", "end-of-text" or "quit".
	Stopped string
}

// Why a run ended.
const (
	StoppedMaxTokens = "max-tokens"
	StoppedEnd       = "end-of-text"
	StoppedQuit      = "quit"
)

// Run generates until a stop condition and returns what was generated.
func (l *Loop) Run() (Result, error) {
	if l.MaxTokens < 1 {
		return Result{}, fmt.Errorf("generate: Loop.MaxTokens is %d; it must be at least 1", l.MaxTokens)
	}
	width := l.Width
	if width <= 0 {
		width = 80
	}
	var (
		res    Result
		stream = newTextStream(l.TokenText)
		in     *bufio.Reader
		enc    = json.NewEncoder(l.Out)
		mode   = l.Mode
	)
	if mode == ModeInteractive {
		if l.In == nil {
			return res, errors.New("generate: ModeInteractive needs Loop.In to read the user's keys from")
		}
		in = bufio.NewReader(l.In)
	}
	text := func(ids []int) []byte {
		var b []byte
		for _, id := range ids {
			b = append(b, l.TokenText(id)...)
		}
		return b
	}
	res.Stopped = StoppedMaxTokens
	if l.Header != "" && (mode == ModeTrace || mode == ModeInteractive) {
		if _, err := fmt.Fprintln(l.Out, l.Header); err != nil {
			return res, err
		}
	}
	for n := 0; n < l.MaxTokens; n++ {
		s, err := l.Stepper.Propose()
		if err != nil {
			return res, fmt.Errorf("step %d: %w", n+1, err)
		}
		if n == 0 {
			res.Text = text(s.ContextIDs) // the prompt
			if mode == ModeText {
				if _, err := io.WriteString(l.Out, stream.Push(s.ContextIDs...)); err != nil {
					return res, err
				}
			}
		}
		switch mode {
		case ModeTrace:
			if err := RenderStep(l.Out, s, text(s.ContextIDs), width); err != nil {
				return res, err
			}
		case ModeJSON:
			if err := enc.Encode(s); err != nil {
				return res, fmt.Errorf("writing step %d: %w", s.Step, err)
			}
		case ModeInteractive:
			if err := RenderStep(l.Out, s, text(s.ContextIDs), width); err != nil {
				return res, err
			}
			key, err := l.ask(in, len(s.Candidates))
			if err != nil {
				return res, err
			}
			switch {
			case key == "q":
				res.Stopped = StoppedQuit
				return res, l.finish(res, stream, mode)
			case key == "a":
				// Stop asking: show the text so far and stream the rest.
				mode = ModeText
				fmt.Fprint(l.Out, "running to the end:\n"+stream.Push(s.ContextIDs...))
			case key != "":
				i, _ := strconv.Atoi(key) // ask accepted only valid digits
				c := s.Candidates[i]
				s.Chosen = Choice{Choice: c.Pick(), Text: c.Text}
				fmt.Fprintf(l.Out, "you picked %d: %d \"%s\"\n", i, c.ID, tokenizer.Visible([]byte(c.Text)))
			}
		}
		id := s.Chosen.ID
		if l.Stop != nil && l.Stop(id) {
			res.Stopped = StoppedEnd
			break
		}
		if err := l.Stepper.Accept(id); err != nil {
			return res, fmt.Errorf("step %d: %w", s.Step, err)
		}
		res.IDs = append(res.IDs, id)
		tok := l.TokenText(id)
		res.Text = append(res.Text, tok...)
		if mode == ModeText {
			if _, err := io.WriteString(l.Out, stream.Push(id)); err != nil {
				return res, err
			}
		}
	}
	return res, l.finish(res, stream, mode)
}

// finish ends the output: the held-back tail of streamed text, then for a
// trace a summary line, with the whole text unless it was just streamed.
func (l *Loop) finish(res Result, stream textStream, mode Mode) error {
	if mode == ModeText {
		if _, err := fmt.Fprintln(l.Out, stream.Flush()); err != nil {
			return err
		}
	}
	if l.Mode != ModeTrace && l.Mode != ModeInteractive {
		return nil
	}
	if res.Stopped == StoppedQuit {
		_, err := fmt.Fprintln(l.Out, "quit.")
		return err
	}
	_, err := fmt.Fprintf(l.Out, "── done: %d tokens, stopped at %s ──\n", len(res.IDs), res.Stopped)
	if err == nil && mode != ModeText {
		_, err = fmt.Fprintln(l.Out, strings.ToValidUTF8(string(res.Text), "\uFFFD"))
	}
	return err
}

// ask reads keys until one is valid for a step with n candidates and
// returns it: "" (Enter), a digit below n, "a" or "q". The end of input
// counts as "q".
func (l *Loop) ask(in *bufio.Reader, n int) (string, error) {
	help := fmt.Sprintf("Enter: next · 0-%d: pick that token · a: run to the end · q: quit > ", min(n, 10)-1)
	for {
		if _, err := io.WriteString(l.Out, help); err != nil {
			return "", err
		}
		line, err := in.ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			if errors.Is(err, io.EOF) {
				fmt.Fprintln(l.Out)
				return "q", nil
			}
			return "", fmt.Errorf("reading your key: %w", err)
		}
		key := strings.ToLower(strings.TrimSpace(line))
		switch {
		case key == "" || key == "a" || key == "q":
			return key, nil
		case len(key) == 1 && key[0] >= '0' && key[0] <= '9' && int(key[0]-'0') < n:
			return key, nil
		}
		fmt.Fprintf(l.Out, "%q is not a key here.\n", key)
	}
}
