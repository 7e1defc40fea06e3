// Package tty tells whether output goes to a person's terminal, where
// progress bars are redrawn and colours make sense, or to a file or pipe,
// where tick writes plain lines.
package tty

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Is reports whether w is a terminal.
func Is(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
