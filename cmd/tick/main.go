// Command tick is the one command-line entry point of the engine: it parses
// flags and calls the tokenizer, transformer and train packages.
//
//	tick tokenize   show how text becomes tokens
//	tick bpe        train or explain a byte-level BPE vocabulary
//	tick train      train a small transformer on a text file
//	tick eval       measure a trained model on a text file
//	tick generate   generate text, optionally step by step
//	tick bench      compare speed against reference implementations
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
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
		fmt.Fprintf(os.Stderr, "tick %s: %s\n", name, oneLine(err))
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

// oneLine keeps an error message on a single line, as every error tick
// prints should be.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
