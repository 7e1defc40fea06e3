package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

func init() {
	commands["chat"] = command{
		summary: "talk with a chat-tuned model in the terminal, optionally step by step",
		run:     runChat,
	}
}

// The role tokens of a chat tokenizer, as tick align writes them.
const (
	userToken      = "<|user|>"
	assistantToken = "<|assistant|>"
	endToken       = "<|end|>"
)

// roles are a vocabulary's role token ids.
type roles struct{ user, assistant, end int }

// findRoles looks the three role tokens up by their spelling; a run whose
// tokenizer lacks one was not tuned for chat.
func findRoles(tok tokenizer.Tokenizer, dir string) (roles, error) {
	var r roles
	var missing []string
	for _, x := range []struct {
		name string
		id   *int
	}{{userToken, &r.user}, {assistantToken, &r.assistant}, {endToken, &r.end}} {
		id, ok := findToken(tok, x.name)
		if !ok {
			missing = append(missing, x.name)
		}
		*x.id = id
	}
	if len(missing) > 0 {
		return r, fmt.Errorf("%s has no role tokens (its %s tokenizer lacks %s): tick chat needs a chat-tuned run, e.g. from tick align sft; for plain text use tick generate",
			dir, tok.Name(), strings.Join(missing, ", "))
	}
	return r, nil
}

// findToken is the highest id spelled exactly name (special tokens sit at
// the top of a vocabulary).
func findToken(tok tokenizer.Tokenizer, name string) (int, bool) {
	for id := tok.VocabSize() - 1; id >= 0; id-- {
		if string(tok.TokenBytes(id)) == name {
			return id, true
		}
	}
	return 0, false
}

// conversation is the chat so far, as the template renders it:
//
//	<|user|> text <|end|> <|assistant|> reply <|end|> <|user|> ...
//
// one slice of tokens per finished turn, so the oldest can be forgotten
// whole when the context fills.
type conversation struct {
	r     roles
	turns [][]int
}

// userTurn renders a user message and opens the assistant's turn: the
// tokens the model continues with its reply.
func (c *conversation) userTurn(text []int) []int {
	t := append([]int{c.r.user}, text...)
	return append(t, c.r.end, c.r.assistant)
}

// prompt is the history then the new user turn, the oldest turns dropped
// until it leaves room reserve tokens for the reply in a context of
// context tokens. It returns how many turns it dropped.
func (c *conversation) prompt(turn []int, context, reserve int) (ids []int, dropped int) {
	size := len(turn)
	for _, t := range c.turns {
		size += len(t)
	}
	for len(c.turns) > 0 && size+reserve > context {
		size -= len(c.turns[0])
		c.turns = c.turns[1:]
		dropped++
	}
	for _, t := range c.turns {
		ids = append(ids, t...)
	}
	return append(ids, turn...), dropped
}

func runChat(args []string) error {
	fs := newFlags("tick chat", "Usage: tick chat --model RUN [--step] [--temperature T] [--max-tokens N]\n\n"+
		"A conversation with a chat-tuned model (tick align): each line you type\n"+
		"becomes a user turn of the chat template, <|user|> text <|end|>\n"+
		"<|assistant|>, and the model writes the reply until it emits <|end|>. The\n"+
		"whole conversation is what the model reads; when it outgrows the context\n"+
		"the oldest turns are forgotten. With --step, every reply token shows its\n"+
		"candidates as tick generate --step does (keys on a terminal: Enter takes\n"+
		"the sampler's token, a digit picks a candidate, b goes back, q ends the\n"+
		"reply). /reset forgets the conversation; /quit or Ctrl-D ends.")
	var (
		model       = fs.String("model", "", "chat-tuned run folder, e.g. from 'tick align sft' (required)")
		maxTokens   = fs.Int("max-tokens", 64, "tokens per reply at most (the context may allow fewer)")
		temperature = fs.Float64("temperature", 0.8, "divide logits by this; 0 is greedy\n(always the most probable token)")
		seed        = fs.Uint64("seed", 1, "random seed: the same seed and messages give the same replies")
		step        = fs.Bool("step", false, "show every reply token: candidates, probabilities, entropy, choice")
		candidates  = fs.Int("candidates", generate.DefaultTop, "candidates shown per step with --step")
	)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q; tick chat reads your messages from its input, one a line", rest[0])
	}
	if *model == "" {
		return errors.New("--model is required: give a chat-tuned run folder, e.g. from 'tick align sft'")
	}
	if *maxTokens < 1 {
		return fmt.Errorf("--max-tokens is %d: a reply needs at least 1 token", *maxTokens)
	}
	if *candidates < 1 {
		return fmt.Errorf("--candidates is %d: show at least 1", *candidates)
	}
	opts := sample.Options{Temperature: *temperature, TopP: 1} // top-p 1: every token
	if err := opts.Validate(); err != nil {
		return flagAdvice(err)
	}
	m, tok, err := loadForGeneration(*model)
	if err != nil {
		return err
	}
	r, err := findRoles(tok, *model)
	if err != nil {
		return err
	}
	stdinTerminal := term.IsTerminal(int(os.Stdin.Fd()))
	interactive := *step && stdinTerminal && term.IsTerminal(int(os.Stdout.Fd()))
	if interactive {
		*candidates = min(*candidates, generate.MaxPick)
	}
	c := chat{
		m: m, tok: tok, conv: conversation{r: r}, opts: opts, seed: *seed, maxTokens: *maxTokens,
		step: *step, interactive: interactive, echo: !stdinTerminal, top: *candidates, out: os.Stdout, errOut: os.Stderr,
	}
	return c.run(os.Stdin)
}

// chat is one tick chat session.
type chat struct {
	m                 *transformer.Model
	tok               tokenizer.Tokenizer
	conv              conversation
	opts              sample.Options
	seed              uint64
	maxTokens, top    int
	step, interactive bool
	echo              bool // print each message after "you> ": a pipe's input is not on the screen
	out, errOut       io.Writer
}

// run reads messages from in, one a line, and answers each.
func (c *chat) run(in io.Reader) error {
	ctx := c.m.Config.Context
	fmt.Fprintf(c.out, "tick chat: a model of %d tokens of context, temperature %g. Type a message and press Enter; /reset forgets the conversation, /quit or Ctrl-D ends.\n", ctx, c.opts.Temperature)
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 0; ; {
		fmt.Fprint(c.out, "you> ")
		if !lines.Scan() {
			fmt.Fprintln(c.out)
			if err := lines.Err(); err != nil {
				return fmt.Errorf("reading your message: %w", err)
			}
			return nil
		}
		text := strings.TrimRight(lines.Text(), "\r")
		if c.echo {
			fmt.Fprintln(c.out, text)
		}
		switch strings.TrimSpace(text) {
		case "":
			continue
		case "/quit":
			return nil
		case "/reset":
			c.conv.turns = nil
			fmt.Fprintln(c.out, "(conversation forgotten)")
			continue
		}
		reply, err := c.answer(text, n)
		if err != nil {
			if errors.Is(err, errTooLong) {
				fmt.Fprintln(c.errOut, err)
				continue
			}
			return err
		}
		fmt.Fprintf(c.out, "assistant> %s\n", strings.ToValidUTF8(string(c.tok.Decode(reply)), "\uFFFD"))
		n++
	}
}

// errTooLong marks a message that does not fit the context even alone.
var errTooLong = errors.New("message too long")

// answer generates the reply to one user message (the n-th of the
// session, which seeds its sampling) and adds both to the conversation.
func (c *chat) answer(text string, n int) ([]int, error) {
	ids, err := c.tok.Encode(text)
	if err != nil {
		return nil, fmt.Errorf("your message: %w", err)
	}
	ctx := c.m.Config.Context
	turn := c.conv.userTurn(ids)
	// Leave room for a short reply at least; a longer one may use what
	// the conversation leaves of the context.
	reserve := min(c.maxTokens+1, max(1, ctx/4))
	prompt, dropped := c.conv.prompt(turn, ctx, reserve)
	if len(prompt) >= ctx {
		return nil, fmt.Errorf("%w: with the template it is %d tokens, and this model reads at most %d: write less", errTooLong, len(turn), ctx)
	}
	if dropped > 0 {
		fmt.Fprintf(c.out, "(forgot the oldest %d turn(s) to fit the context of %d tokens)\n", dropped, ctx)
	}
	// The reply may not outgrow the context: the Generator would slide its
	// window and the model would lose the start of the conversation.
	limit := min(c.maxTokens, ctx-len(prompt))
	g, err := generate.New(c.m, prompt, generate.Options{Sample: c.opts, Seed: c.seed + uint64(n), Top: c.top, TokenText: c.tok.TokenBytes})
	if err != nil {
		return nil, flagAdvice(err)
	}
	loop := generate.Loop{
		Stepper: g, TokenText: c.tok.TokenBytes, Mode: generate.ModeText, MaxTokens: limit,
		In: strings.NewReader(""), Out: io.Discard,
		// The reply ends at <|end|>; a model that opens a user turn
		// instead has ended its own turn too.
		Stop: func(id int) bool { return id == c.conv.r.end || id == c.conv.r.user },
	}
	if c.step {
		loop.Out, loop.Mode, loop.Header = c.out, generate.ModeTrace, g.Settings()
		if c.interactive {
			t, err := makeRaw(os.Stdin)
			if err != nil {
				fmt.Fprintf(c.errOut, "note: showing the steps without waiting for keys: %v\n", err)
			} else {
				defer t.Close()
				loop.Mode, loop.Keys, loop.Out = generate.ModeInteractive, t, t.Writer(c.out)
			}
		}
	}
	res, err := loop.Run()
	if err != nil {
		return nil, flagAdvice(err)
	}
	// The turn is closed with <|end|> whatever stopped it, so the next
	// message starts from the template the model was tuned on.
	c.conv.turns = append(c.conv.turns, append(append(turn, res.IDs...), c.conv.r.end))
	return res.IDs, nil
}
