package train

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// defaultCorpus is a few KB of public-domain English (Lincoln, Austen, the
// Declaration of Independence, Genesis in the King James Version), used
// when Go's copy of Newton's Opticks is not installed.
//
//go:embed corpus/default.txt
var defaultCorpus string

// EmbeddedCorpusName is how the embedded corpus is named in messages and in
// a run's saved options (Options.Data).
const EmbeddedCorpusName = "(embedded public-domain sample)"

// DefaultData returns the text used when no --data is given: Newton's
// Opticks (public domain, 567 KB), which every Go installation ships as
// $GOROOT/src/testdata/Isaac.Newton-Opticks.txt, else the small embedded
// corpus. name is the path read, or EmbeddedCorpusName.
func DefaultData() (name string, text []byte) {
	if p := opticksPath(); p != "" {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return p, b
		}
	}
	return EmbeddedCorpusName, []byte(defaultCorpus)
}

// opticksPath returns where the Go installation keeps Opticks, or "".
func opticksPath() string {
	root := runtime.GOROOT() // set at build time; GOROOT in the environment overrides it
	if env := os.Getenv("GOROOT"); env != "" {
		root = env
	}
	if root == "" {
		// Binaries built with -trimpath do not know their GOROOT; ask go.
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			root = strings.TrimSpace(string(out))
		}
	}
	if root == "" {
		return ""
	}
	p := filepath.Join(root, "src", "testdata", "Isaac.Newton-Opticks.txt")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// readData returns the text of the data file named by --data: the default
// corpus when name is "" or EmbeddedCorpusName, else the file, which must
// exist and not be empty.
func readData(name string) (string, []byte, error) {
	if name == "" {
		n, b := DefaultData()
		return n, b, nil
	}
	if name == EmbeddedCorpusName {
		return name, []byte(defaultCorpus), nil
	}
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("data file %s does not exist: check the path, or leave out --data to use Newton's Opticks", name)
	}
	if err != nil {
		return "", nil, fmt.Errorf("data file %s cannot be read: %w; check the path", name, err)
	}
	if len(b) == 0 {
		return "", nil, fmt.Errorf("data file %s is empty; give a text file with at least a few KB of text", name)
	}
	return name, b, nil
}
