package tokenizer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeVocab writes a rank file of the 256 bytes plus extra tokens at the
// given ranks, and its sidecar with specials.
func writeVocab(t *testing.T, dir, name string, extra map[string]int, specials map[string]int) string {
	t.Helper()
	ranks := byteRanks()
	for tok, r := range extra {
		ranks[tok] = r
	}
	var buf bytes.Buffer
	if err := WriteRanks(&buf, ranks); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".tiktoken")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	side, _ := json.Marshal(Sidecar{Pattern: "cl100k", SpecialTokens: specials})
	if err := os.WriteFile(SidecarPath(path), side, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBuildRefusesGaps: a vocabulary whose largest ID leaves most IDs
// without a token would make a model with a row for each; Build refuses
// it, saying where the gap is, and accepts a few unused IDs as the
// built-in encodings have.
func TestBuildRefusesGaps(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name     string
		extra    map[string]int
		specials map[string]int
		want     string // "" = accepted
	}{
		{"dense", map[string]int{"ab": 256, "cd": 257}, map[string]int{"<|endoftext|>": 258}, ""},
		{"a few unused", map[string]int{"ab": 256}, map[string]int{"<|endoftext|>": 1000}, ""}, // 743 unused, under 1024
		{"special far away", map[string]int{"ab": 256}, map[string]int{"<|endoftext|>": 16777215},
			"its largest token ID is 16777215 but it has only 258 tokens: a model would need 16777216 embedding rows, 16776958 of them for IDs no token has; give the special tokens in its sidecar the IDs from 257 on"},
		{"rank far away", map[string]int{"ab": 1 << 23}, nil,
			"its largest token ID is 8388608 but it has only 257 tokens: a model would need 8388609 embedding rows, 8388352 of them for IDs no token has; give its tokens the ranks 0..256 without gaps"},
	}
	for _, c := range cases {
		path := writeVocab(t, dir, strings.ReplaceAll(c.name, " ", "-"), c.extra, c.specials)
		tok, _, err := Build(path, "some text")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: Build = %v; want it accepted", c.name, err)
		case c.want == "" && tok.VocabSize() < 257:
			t.Errorf("%s: VocabSize %d", c.name, tok.VocabSize())
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: Build = %v; want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestFilesMustBeRegular: every way a rank file, sidecar or checkpoint's
// tokenizer file is read refuses a device, a FIFO or a folder at once,
// naming it (os.ReadFile would read /dev/zero until memory runs out, and
// wait forever for a FIFO's writer).
func TestFilesMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	good := writeVocab(t, dir, "good", nil, nil)
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo.tiktoken")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := link("zero.tiktoken", "/dev/zero")
	os.WriteFile(SidecarPath(zero), []byte(`{"pattern":"cl100k"}`), 0o644)
	os.WriteFile(SidecarPath(fifo), []byte(`{"pattern":"cl100k"}`), 0o644)
	sideZero := filepath.Join(dir, "sidezero.tiktoken")
	os.WriteFile(sideZero, mustRead(t, good), 0o644)
	link("sidezero.json", "/dev/zero")
	// A checkpoint folder whose vocabulary copy is a link to /dev/zero.
	ck := filepath.Join(dir, "ck")
	os.Mkdir(ck, 0o755)
	_, spec, err := Build(good, "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Save(ck); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(ck, spec.File))
	link("ck/"+spec.File, "/dev/zero")

	cases := []struct {
		name string
		load func() error
		want string
	}{
		{"Get of /dev/zero", func() error { _, err := Get("/dev/zero"); return err }, "/dev/zero is not a regular file (a character device)"},
		{"Get of a link to /dev/zero", func() error { _, err := Get(zero); return err }, zero + " is not a regular file (a character device)"},
		{"Get of a FIFO", func() error { _, err := Get(fifo); return err }, fifo + " is not a regular file (a FIFO)"},
		{"Get of a folder", func() error { _, err := Get(dir + "/"); return err }, "is not a regular file (a directory)"},
		{"Get with a sidecar linked to /dev/zero", func() error { _, err := Get(sideZero); return err }, "sidezero.json is not a regular file (a character device): give a JSON sidecar"},
		{"Load of /dev/zero", func() error { _, err := Load("/dev/zero", 0, nil); return err }, "/dev/zero is not a regular file (a character device): give a .tiktoken rank file"},
		{"llama3 of /dev/zero", func() error { _, err := Get("llama3:/dev/zero"); return err }, "/dev/zero is not a regular file (a character device): give the original/tokenizer.model"},
		{"Build of a FIFO", func() error { _, _, err := Build(fifo, "x"); return err }, "is not a regular file (a FIFO)"},
		{"LoadSaved with the vocabulary linked to /dev/zero", func() error { _, _, err := LoadSaved(ck); return err }, "is not a regular file (a character device)"},
	}
	for _, c := range cases {
		done := make(chan error, 1)
		go func() { done <- c.load() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v; want an error containing %q", c.name, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: did not return", c.name)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAppendEncode: appending to a slice gives that slice followed by
// Encode's tokens, for each mode, reusing its room; an error leaves it as
// it was.
func TestAppendEncode(t *testing.T) {
	enc := mustGet(t, "cl100k_base")
	texts := []string{"", "Hello, world!", opticks(t, 20000), "a <|endoftext|> b"}
	for _, mode := range []SpecialMode{SpecialAllow, SpecialOrdinary, SpecialRaise} {
		for _, text := range texts {
			want, wantErr := enc.Encode(text, mode)
			dst := make([]int, 2, 100000)
			dst[0], dst[1] = 7, 8
			got, err := enc.AppendEncode(dst, text, mode)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%v %.20q: AppendEncode error %v, Encode %v", mode, text, err, wantErr)
			}
			if err != nil {
				if len(got) != 2 || got[0] != 7 {
					t.Errorf("%v %.20q: on error AppendEncode returned %v, not dst", mode, text, got)
				}
				continue
			}
			if len(got) != 2+len(want) || got[0] != 7 || got[1] != 8 || !slices.Equal(got[2:], want) {
				t.Errorf("%v %.20q: AppendEncode = %d ids, want 2 + Encode's %d", mode, text, len(got), len(want))
			}
			if len(want) < 99998 && &got[0] != &dst[0] {
				t.Errorf("%v %.20q: AppendEncode did not reuse dst's room", mode, text)
			}
		}
	}
}
