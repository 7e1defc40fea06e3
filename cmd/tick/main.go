// Command tick is the one command-line entry point of the engine: it parses
// flags and calls the tokenizer, transformer and train packages.
//
//	tick tokenize   show how text becomes tokens
//	tick bpe        train or explain a byte-level BPE vocabulary
//	tick train      train a small transformer on a text file
//	tick eval       measure a trained model on a text file
//	tick generate   generate text, optionally step by step
//	tick attention  show where a trained model looks, head by head
//	tick model      what a model's size means: parameters, memory, FLOPs
//	tick bench      compare speed against reference implementations
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// command is one subcommand of tick. Each lives in its own file and adds
// itself to commands in an init function.
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	name := os.Args[1]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "tick: unknown command %q; run 'tick help' for the list\n", name)
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		// "tick generate: generate: ..." would say the command twice.
		fmt.Fprintf(os.Stderr, "tick %s: %s\n", name, strings.TrimPrefix(oneLine(err), name+": "))
		os.Exit(1)
	}
}

func usage(w *os.File) {
	fmt.Fprintln(w, "tick: what makes GPT-4o and Llama 3 tick, in code you can read\n\nUsage: tick COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'tick COMMAND -h' for the flags of one command.")
}

// An adapter's base may be a Hugging Face folder too.
func init() {
	checkpoint.LoadBase = func(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
		if hf.IsModelFolder(dir) {
			return hf.Open(dir, 0)
		}
		return checkpoint.LoadModel(dir)
	}
}

// oneLine keeps an error message on a single line, as every error tick
// prints should be.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// parseArgs parses flags that may come before, between or after the
// positional arguments (flag.Parse stops at the first positional one) and
// returns the positional ones; everything after "--" is positional.
// -h prints the usage to standard output; a bad flag becomes one line that
// says where to find the right ones, instead of the whole usage text.
func parseArgs(flags *flag.FlagSet, args []string) ([]string, error) {
	var usage bytes.Buffer
	flags.SetOutput(&usage)
	var after []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, after = args[:i], args[i+1:]
	}
	var pos []string
	for {
		err := flags.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			os.Stdout.Write(usage.Bytes())
			return nil, err
		}
		if err != nil {
			msg := strings.Replace(err.Error(), "flag provided but not defined: -", "unknown flag --", 1)
			return nil, fmt.Errorf("%s; run '%s -h' for the flags", msg, flags.Name())
		}
		args = flags.Args()
		if len(args) == 0 {
			return append(pos, after...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// readFlagFile reads the file a flag names, with an error that says which
// flag and what to do. It must be a regular file: /dev/zero, a FIFO or a
// folder would never end, or is not text.
func readFlagFile(flagName, path string) ([]byte, error) {
	data, err := inputfile.ReadFile(path)
	var nr *inputfile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s %s does not exist: check the path", flagName, path)
	case errors.As(err, &nr):
		return nil, fmt.Errorf("%s %s is not a regular file (%s): give a text file", flagName, path, inputfile.Kind(nr.Mode))
	case err != nil:
		return nil, fmt.Errorf("%s %s cannot be read: %w", flagName, path, err)
	}
	return data, nil
}

// newFlags returns the flag set of a subcommand: -h prints usage (its usage
// line and what it does), then its flags.
func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage, "\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// flagGiven reports whether the user set the named flag on the command
// line (a default value and a value typed by the user look the same).
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// loadModel loads the model of a run folder, or of a Hugging Face model
// folder (told apart by its config.json's model_type), for a command that
// reads one (--model), saying how to make one when the folder is not there.
func loadModel(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("model folder %q: %w; train one with 'tick train --out DIR'", dir, errors.Unwrap(err))
	}
	if hf.IsModelFolder(dir) {
		return hf.Open(dir, 0)
	}
	if checkpoint.IsAdapter(dir) {
		return checkpoint.LoadModel(dir)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		return nil, nil, err
	}
	if ck.Warning != "" {
		fmt.Fprintf(os.Stderr, "tick: %s\n", ck.Warning)
	}
	// A fine-tune's checkpoint: generation's cache reads base weights only.
	ck.Model.MergeLoRA()
	return ck.Model, ck.Tokenizer, nil
}
