package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/sample"
)

// Mode is how a Loop shows generation.
type Mode int

const (
	// ModeText streams the generated text as it comes, after the prompt.
	ModeText Mode = iota
	// ModeTrace prints every step as a table (RenderStep), without waiting.
	ModeTrace
	// ModeInteractive prints every step and waits for a key: Enter takes
	// the sampler's choice, a digit picks that candidate instead, b goes
	// back one step, + and - change the temperature, [ and ] top-k, a runs
	// to the end (streaming text), q quits with the text so far. Keys the
	// Stepper cannot serve (b without Back, the others without
	// SetSampling) are neither offered nor taken.
	ModeInteractive
	// ModeJSON writes one JSON object (a Step) per line, for programs.
	ModeJSON
)

// Backer is a Stepper that can take its last Accept back (Generator is one).
type Backer interface {
	Stepper
	Back() error
}

// Tuner is a Stepper whose sampling options can change between steps
// (Generator is one). SetSampling applies from the current step on: the
// Loop proposes it again.
type Tuner interface {
	Stepper
	Sampling() sample.Options
	SetSampling(sample.Options) error
}

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
	// Special reports whether a token is a marker with no text of its own,
	// such as the <|endoftext|> a prompt starts from when there is no
	// prompt (GPT-2's habit): it is shown in traces but left out of the
	// text, in the prompt as after it. nil means no token is.
	Special func(id int) bool
	// Keys gives the user's keys in ModeInteractive (RawKeys for a terminal
	// in raw mode). If nil, they are read from In, one per line (LineKeys).
	Keys Keys
	// In gives the user's keys in ModeInteractive, one line per key, when
	// Keys is nil.
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
	// Text is the prompt followed by the generated text (special tokens
	// left out).
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

// MaxPick is how many candidates an interactive step can offer: the digits
// 0-9 pick them, one key each.
const MaxPick = 10

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
		res     Result
		stream  = newTextStream(l.TokenText)
		enc     = json.NewEncoder(l.Out)
		mode    = l.Mode
		prompt  []int // the first step's context
		started bool
		keys    = l.Keys
	)
	if mode == ModeInteractive && keys == nil {
		if l.In == nil {
			return res, errors.New("generate: ModeInteractive needs Loop.Keys or Loop.In to read the user's keys from")
		}
		keys = LineKeys(l.In)
	}
	// Close the keys once, as soon as no more are wanted.
	closed := keys == nil
	stopAsking := func() {
		if c, ok := keys.(io.Closer); ok && !closed {
			c.Close()
		}
		closed = true
	}
	defer stopAsking()

	res.Stopped = StoppedMaxTokens
	if l.Header != "" && (mode == ModeTrace || mode == ModeInteractive) {
		if _, err := fmt.Fprintln(l.Out, l.Header); err != nil {
			return res, err
		}
	}
	for len(res.IDs) < l.MaxTokens {
		s, err := l.Stepper.Propose()
		if err != nil {
			return res, err // Propose names the step already
		}
		if !started {
			started, prompt = true, s.ContextIDs
			res.Text = l.text(prompt)
			if mode == ModeText {
				if _, err := io.WriteString(l.Out, stream.Push(l.shown(prompt)...)); err != nil {
					return res, err
				}
			}
		}
		switch mode {
		case ModeTrace:
			if err := RenderStep(l.Out, s, spell(l.TokenText, s.ContextIDs), width); err != nil {
				return res, err
			}
		case ModeJSON:
			if err := enc.Encode(s); err != nil {
				return res, fmt.Errorf("writing step %d: %w", s.Step, err)
			}
		case ModeInteractive:
			if err := RenderStep(l.Out, s, spell(l.TokenText, s.ContextIDs), width); err != nil {
				return res, err
			}
			key, err := l.ask(keys, s, len(res.IDs), width)
			if err != nil {
				return res, err
			}
			switch key {
			case "q":
				res.Stopped = StoppedQuit
				stopAsking()
				return res, l.finish(res, stream, mode)
			case "a":
				// Stop asking: show the text so far and stream the rest.
				stopAsking()
				mode = ModeText
				if _, err := io.WriteString(l.Out, "running to the end:\n"+stream.Push(l.shown(s.ContextIDs)...)); err != nil {
					return res, err
				}
			case "b":
				last := res.IDs[len(res.IDs)-1]
				if err := l.Stepper.(Backer).Back(); err != nil {
					return res, err
				}
				res.IDs = res.IDs[:len(res.IDs)-1]
				res.Text = l.text(append(prompt[:len(prompt):len(prompt)], res.IDs...))
				fmt.Fprintf(l.Out, "back to step %d: %d \"%s\" taken back\n", len(res.IDs)+1, last, tokenizer.Visible(l.TokenText(last)))
				continue
			case "+", "-", "[", "]":
				t := l.Stepper.(Tuner)
				o := tune(t.Sampling(), key, len(s.Candidates))
				if err := t.SetSampling(o); err != nil {
					return res, err
				}
				if _, err := fmt.Fprintf(l.Out, "from step %d on: %s\n", s.Step, describe(o)); err != nil {
					return res, err
				}
				continue // propose the step again with the new options
			case "":
			default: // a digit: ask accepted only those below the candidates
				i, _ := strconv.Atoi(key)
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
		res.Text = append(res.Text, l.text([]int{id})...)
		if mode == ModeText {
			if _, err := io.WriteString(l.Out, stream.Push(l.shown([]int{id})...)); err != nil {
				return res, err
			}
		}
	}
	stopAsking()
	return res, l.finish(res, stream, mode)
}

// shown drops the special tokens from ids: what the text shows of them.
func (l *Loop) shown(ids []int) []int {
	if l.Special == nil {
		return ids
	}
	var out []int
	for _, id := range ids {
		if !l.Special(id) {
			out = append(out, id)
		}
	}
	return out
}

// text is the bytes of ids, special tokens left out.
func (l *Loop) text(ids []int) []byte { return spell(l.TokenText, l.shown(ids)) }

// spell is the bytes of ids, all of them: a trace shows special tokens.
func spell(text TokenText, ids []int) []byte {
	var b []byte
	for _, id := range ids {
		b = append(b, text(id)...)
	}
	return b
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
	var err error
	if res.Stopped == StoppedQuit {
		_, err = fmt.Fprintf(l.Out, "── quit: %s ──\n", words.Count(len(res.IDs), "token"))
	} else {
		_, err = fmt.Fprintf(l.Out, "── done: %s, stopped at %s ──\n", words.Count(len(res.IDs), "token"), res.Stopped)
	}
	if err == nil && mode != ModeText {
		_, err = fmt.Fprintln(l.Out, strings.ToValidUTF8(string(res.Text), "\uFFFD"))
	}
	return err
}

// ask shows the keys that work at step s, reads keys until one of them
// comes, and returns it: "" (Enter), a digit below the number of
// candidates, "a", "q", "b", "+", "-", "[" or "]". Letters count in either
// case, "=" is "+" (the same key without Shift). The end of the keys counts
// as "q". Each key read is echoed after the hint, since a terminal in raw
// mode echoes nothing.
func (l *Loop) ask(keys Keys, s Step, accepted, width int) (string, error) {
	_, canBack := l.Stepper.(Backer)
	tuner, canTune := l.Stepper.(Tuner)
	n := min(len(s.Candidates), MaxPick)
	items := []string{"Enter: next"}
	switch n {
	case 0:
	case 1:
		items = append(items, "0: pick it")
	default:
		items = append(items, fmt.Sprintf("0-%d: pick", n-1))
	}
	if canBack {
		items = append(items, "b: back")
	}
	if canTune {
		items = append(items, "+/-: temperature", "[/]: top-k")
	}
	items = append(items, "a: run to the end", "q: quit")
	help := wrapItems(items, " · ", width-3) + "> "
	for {
		if _, err := io.WriteString(l.Out, help); err != nil {
			return "", err
		}
		key, err := keys.ReadKey()
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(l.Out)
			return "q", nil
		}
		if err != nil {
			return "", err
		}
		if _, err := fmt.Fprintln(l.Out, echo(key)); err != nil {
			return "", err
		}
		key = strings.ToLower(key)
		if key == "=" {
			key = "+"
		}
		switch {
		case key == "" || key == "a" || key == "q":
			return key, nil
		case len(key) == 1 && key[0] >= '0' && key[0] <= '9' && int(key[0]-'0') < n:
			return key, nil
		case key == "b" && canBack:
			if accepted == 0 {
				fmt.Fprintln(l.Out, "nothing to go back to: this is the first step.")
				continue
			}
			return key, nil
		case (key == "+" || key == "-" || key == "[" || key == "]") && canTune:
			o := tuner.Sampling()
			if why := limit(o, key, len(s.Candidates)); why != "" {
				fmt.Fprintln(l.Out, why)
				continue
			}
			return key, nil
		}
		fmt.Fprintf(l.Out, "%q is not a key here.\n", key)
	}
}

// echo spells a key as the user typed it, or quoted when it is not
// printable (a control character, an escape sequence, a broken byte).
func echo(key string) string {
	for _, r := range key {
		if r == utf8.RuneError || !unicode.IsGraphic(r) {
			return strconv.Quote(key)
		}
	}
	return key
}

// wrapItems joins items with sep into lines of at most width cells, cutting
// only between items, so the hint fits a narrow terminal.
func wrapItems(items []string, sep string, width int) string {
	var b strings.Builder
	line := 0
	for i, it := range items {
		w := utf8.RuneCountInString(it)
		if i > 0 {
			if line+utf8.RuneCountInString(sep)+w > width {
				b.WriteString(strings.TrimRight(sep, " ") + "\n")
				line = 0
			} else {
				b.WriteString(sep)
				line += utf8.RuneCountInString(sep)
			}
		}
		b.WriteString(it)
		line += w
	}
	b.WriteString(" ")
	return b.String()
}

// The steps of the tuning keys. Temperature moves by tenths: + goes to the
// next multiple of 0.1 above, - to the one below, down to 0 (greedy).
// Top-k counts in the rows of the table, where its cut shows: [ from off
// (or from a K past the table) keeps as many tokens as the table has rows,
// and each [ one fewer, down to 1; ] one more, and past the table off again.
//
// tune returns o changed by one of the keys + - [ ], for a table of n
// candidates. limit says first whether the key can change anything.
func tune(o sample.Options, key string, n int) sample.Options {
	// In tenths: 0.7*10 is 7.000000000000001, so allow a little float error
	// either way; k/10 is the float nearest to k tenths, which prints as
	// 0.3 where 3*0.1 would print 0.30000000000000004.
	const eps = 1e-9
	switch key {
	case "+":
		o.Temperature = (math.Floor(o.Temperature*10+eps) + 1) / 10
	case "-":
		o.Temperature = max(0, (math.Ceil(o.Temperature*10-eps)-1)/10)
	case "[":
		if o.TopK == 0 || o.TopK > n {
			o.TopK = n
		} else {
			o.TopK = max(1, o.TopK-1)
		}
	case "]":
		if o.TopK >= n {
			o.TopK = 0
		} else if o.TopK > 0 {
			o.TopK++
		}
	}
	return o
}

// describe spells the options the tuning keys change, for the line that
// says what the step is drawn again with.
func describe(o sample.Options) string {
	k := "off"
	if o.TopK > 0 {
		k = strconv.Itoa(o.TopK)
	}
	s := fmt.Sprintf("temperature %g · top-k %s", o.Temperature, k)
	if o.Temperature == 0 {
		s = "temperature 0 (greedy)"
		if o.TopK > 0 {
			s += fmt.Sprintf(" · top-k %s waits for a temperature above 0", k)
		}
	}
	if o.TopP < 1 {
		s += fmt.Sprintf(" · top-p %g", o.TopP)
	}
	return s
}

// limit explains why key would change nothing, or returns "".
func limit(o sample.Options, key string, n int) string {
	switch {
	case key == "-" && o.Temperature == 0:
		return "temperature is 0 (greedy): it cannot go lower."
	case key == "[" && o.TopK == 1:
		return "top-k is 1: only the most probable token is kept; it cannot go lower."
	case key == "]" && o.TopK == 0:
		return "top-k is off: every token is kept already."
	}
	return ""
}
