package bpe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/filetree"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

// twoVocabs trains two vocabularies that encode the same text differently:
// other sizes and other split patterns (a rank file read with the other's
// pattern would encode silently wrong).
func twoVocabs(t *testing.T) (a, b *Vocab, text string) {
	t.Helper()
	corpus := opticks(t, 0, 20_000)
	if corpus == nil {
		t.Fatal("no corpus")
	}
	a, err := Train(corpus, Options{VocabSize: 256 + 150, Pattern: split.GPT2, Special: []string{"<|endoftext|>"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err = Train(corpus, Options{VocabSize: 256 + 300, Pattern: split.None})
	if err != nil {
		t.Fatal(err)
	}
	return a, b, string(opticks(t, 50_000, 5_000))
}

// checkLoadsAs checks that the pair at path loads and encodes text as v's
// own merges do (EncodeReplay, independent of the rank file).
func checkLoadsAs(t *testing.T, path string, v *Vocab, text string) {
	t.Helper()
	enc, err := tokenizer.Get(path)
	if err != nil {
		t.Fatalf("the pair at %s does not load: %v", path, err)
	}
	if enc.Pattern() != v.Pattern {
		t.Errorf("pattern %v, want %v", enc.Pattern(), v.Pattern)
	}
	if i := firstDiff(enc.EncodeOrdinary(text), v.EncodeReplay([]byte(text))); i >= 0 {
		t.Errorf("the pair at %s encodes differently from the vocabulary saved there, from token %d", path, i)
	}
}

// inject makes atomicfile fail op on the destination path, the n-th time
// (from 1) it comes to it, until the test ends.
func inject(t *testing.T, op, path string, n int) error {
	t.Helper()
	boom := errors.New("injected " + op + " failure (input/output error)")
	seen := 0
	atomicfile.FaultHook = func(o, p string) error {
		if o == op && p == path {
			if seen++; seen == n {
				return boom
			}
		}
		return nil
	}
	t.Cleanup(func() { atomicfile.FaultHook = nil })
	return boom
}

// TestSavePairIsAtomic: a save that fails at any step (a failing fsync of
// either file, a refused rename of either) leaves the old pair exactly as
// it was, loading as before, and no temporary file; with no old pair, it
// leaves nothing.
func TestSavePairIsAtomic(t *testing.T) {
	a, b, text := twoVocabs(t)
	for _, c := range []struct {
		name, op string
		file     func(path string) string // the file that fails
	}{
		{"rank file fsync fails", "sync", func(p string) string { return p }},
		{"sidecar fsync fails", "sync", tokenizer.SidecarPath},
		{"sidecar rename fails", "rename", tokenizer.SidecarPath},
		{"rank file rename fails (after the sidecar's)", "rename", func(p string) string { return p }},
	} {
		for _, old := range []bool{true, false} {
			name := c.name + "/no old pair"
			if old {
				name = c.name + "/over an old pair"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "v.tiktoken")
				var oldRanks, oldSide []byte
				if old {
					if err := a.Save(path); err != nil {
						t.Fatal(err)
					}
					oldRanks, _ = os.ReadFile(path)
					oldSide, _ = os.ReadFile(tokenizer.SidecarPath(path))
				}
				boom := inject(t, c.op, c.file(path), 1)
				err := b.Save(path)
				if !errors.Is(err, boom) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("Save = %v, want one line wrapping %v", err, boom)
				}
				if !old {
					filetree.Only(t, dir)
					return
				}
				if got, _ := os.ReadFile(path); string(got) != string(oldRanks) {
					t.Error("the rank file changed")
				}
				if got, _ := os.ReadFile(tokenizer.SidecarPath(path)); string(got) != string(oldSide) {
					t.Errorf("the sidecar changed:\n%s\nwas\n%s", got, oldSide)
				}
				filetree.Only(t, dir, "v.json", "v.tiktoken")
				checkLoadsAs(t, path, a, text)
			})
		}
	}
}

// TestHalfSavedPairIsDetected: if the process dies between the two
// renames (here: the rank file's rename fails, and so does putting the old
// sidecar back), the new sidecar sits beside the old rank file; loading
// the pair refuses it, naming both, instead of encoding with the wrong
// pattern. Saving again mends it.
func TestHalfSavedPairIsDetected(t *testing.T) {
	a, b, text := twoVocabs(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "v.tiktoken")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	// The sidecar's first rename (the new one into place) succeeds; the
	// rank file's fails, and so does the second rename of the sidecar (the
	// old one put back).
	boom := errors.New("injected rename failure")
	sidecarRenames := 0
	atomicfile.FaultHook = func(op, p string) error {
		if op != "rename" {
			return nil
		}
		if p == tokenizer.SidecarPath(path) {
			if sidecarRenames++; sidecarRenames == 1 {
				return nil
			}
		}
		return boom
	}
	defer func() { atomicfile.FaultHook = nil }()
	err := b.Save(path)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "could not be put back") {
		t.Fatalf("Save = %v, want it to say the old sidecar could not be put back", err)
	}
	atomicfile.FaultHook = nil
	_, err = tokenizer.Get(path)
	var mismatch *tokenizer.SidecarMismatchError
	if !errors.As(err, &mismatch) || mismatch.RankFile != path || mismatch.Sidecar != tokenizer.SidecarPath(path) {
		t.Fatalf("loading the half-saved pair: %v, want a SidecarMismatchError naming both files", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "save the vocabulary again") {
		t.Errorf("message %q: want one line saying to save again", msg)
	}
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	checkLoadsAs(t, path, b, text)
	filetree.Only(t, dir, "v.json", "v.tiktoken")
}

// TestSidecarWithoutChecksumLoads: sidecars written before the checksum
// (or by hand) still load.
func TestSidecarWithoutChecksumLoads(t *testing.T) {
	a, _, text := twoVocabs(t)
	path := filepath.Join(t.TempDir(), "v.tiktoken")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenizer.SidecarPath(path), []byte(`{"pattern":"gpt2","special_tokens":{"<|endoftext|>":406}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	checkLoadsAs(t, path, a, text)
}

// TestSaveNeverReplacesOtherFiles: the sidecar's path (package.json for
// package.tiktoken) holding a file that is not a sidecar, or a folder, is
// refused before anything is written, and the file is left as it was; a
// sidecar, an empty file or {} there is replaced.
func TestSaveNeverReplacesOtherFiles(t *testing.T) {
	v, err := Train([]byte("hello hello hello"), Options{VocabSize: 258, Pattern: split.CL100K})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, content string // content "" with dir: a folder
		dir           bool
		refused       string // what the error says, "" if the save goes ahead
	}{
		{"an npm package.json", `{"name":"mine","version":"1.0.0"}`, false, `it has a field "name"`},
		{"a sidecar with one more field", `{"pattern":"gpt2","special_tokens":{},"comment":"mine"}`, false, `it has a field "comment"`},
		{"not JSON", "my notes\n", false, "not a JSON object"},
		{"a JSON list", `["pattern"]`, false, "not a JSON object"},
		{"null", `null`, false, "not a JSON object"},
		{"a folder", "", true, "it is a folder"},
		{"a sidecar", `{"pattern":"gpt2","special_tokens":{"<|endoftext|>":300}}`, false, ""},
		{"an empty object", `{}`, false, ""},
		{"an empty file", "", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "package.tiktoken")
			side := tokenizer.SidecarPath(path)
			if c.dir {
				if err := os.Mkdir(side, 0o755); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(side, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			for what, try := range map[string]func() error{"CheckSavePath": func() error { return CheckSavePath(path) }, "Save": func() error { return v.Save(path) }} {
				err := try()
				if c.refused == "" {
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					continue
				}
				var ns *NotSidecarError
				if !errors.As(err, &ns) || ns.Path != side || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.refused) || !strings.Contains(err.Error(), "rename that file") {
					t.Errorf("%s = %v, want a one-line NotSidecarError for %s saying %q and what to do", what, err, side, c.refused)
				}
			}
			if c.refused == "" {
				checkLoadsAs(t, path, v, "hello hello")
				return
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("a refused save wrote the rank file")
			}
			if !c.dir {
				if got, _ := os.ReadFile(side); string(got) != c.content {
					t.Errorf("the file changed to %q", got)
				}
				filetree.Only(t, dir, "package.json")
			}
		})
	}
	dir := filepath.Join(t.TempDir(), "d.tiktoken")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{"CheckSavePath": CheckSavePath(dir), "Save": v.Save(dir)} {
		if err == nil || !strings.Contains(err.Error(), "is a folder") {
			t.Errorf("%s on a folder named .tiktoken: %v, want an error saying it is a folder", what, err)
		}
	}
}
