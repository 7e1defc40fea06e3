package main

// Tests of tick attention, run as a user runs it (see cli_test.go), against
// a forward pass of the saved model done here.

import (
	"bufio"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/pngfile"
)

var (
	attnOnce sync.Once
	attnRun  string
	attnErr  result
)

// attentionModel trains, once, a tiny char-level model with 2 layers of 2
// heads and a context of 8, and returns its run folder.
func attentionModel(t *testing.T) string {
	t.Helper()
	attnOnce.Do(func() {
		attnErr = result{code: -1}
		dir := filepath.Join(workDir, "attention")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		data, _ := opticks(t, dir, "opticks-20k.txt", 20000)
		attnRun = filepath.Join(dir, "run")
		attnErr = tick(t, dir, "", "train", "--data", data, "--out", attnRun, "--layers", "2", "--heads", "2",
			"--dim", "16", "--context", "8", "--batch", "2", "--steps", "3", "--seed", "1")
	})
	if attnErr.code != 0 {
		t.Fatalf("training the model tick attention is tested on failed:\n%s", attnErr)
	}
	return attnRun
}

// forwardAttention is the reference: the saved model loaded and run here
// on the prompt's first tokens, its weights from Model.Attention, [l][h][i][j].
func forwardAttention(t *testing.T, run, prompt string) (tokens []string, ids []int, w [][][][]float64) {
	t.Helper()
	m, tok, err := checkpoint.LoadModel(run)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err = tok.Encode(prompt); err != nil {
		t.Fatal(err)
	}
	ids = ids[:min(len(ids), m.Config.Context)]
	if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		tokens = append(tokens, string(tok.TokenBytes(id)))
	}
	T := len(ids)
	for l := range m.Config.Layers {
		var heads [][][]float64
		for _, a := range m.Attention(l)[0] {
			rows := make([][]float64, T)
			for i := range rows {
				rows[i] = append([]float64(nil), a.RawRowView(i)...)
			}
			heads = append(heads, rows)
		}
		w = append(w, heads)
	}
	return tokens, ids, w
}

type attnHead struct {
	Layer   int         `json:"layer"`
	Head    int         `json:"head"`
	Tokens  []string    `json:"tokens"`
	IDs     []int       `json:"ids"`
	Weights [][]float64 `json:"weights"`
}

func parseAttentionJSON(t *testing.T, r result) []attnHead {
	t.Helper()
	var hs []attnHead
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var h attnHead
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("--format json printed %q, not a JSON object: %v", sc.Text(), err)
		}
		hs = append(hs, h)
	}
	return hs
}

// TestAttentionJSON checks the weights tick attention prints against the
// model's own after a forward pass done here, every head by default and
// the ones --layer and --head pick; each row adds up to 1 with nothing
// above the diagonal; a prompt longer than the context is cut to its first
// tokens, with a note that says so.
func TestAttentionJSON(t *testing.T) {
	run := attentionModel(t)
	dir := t.TempDir()
	const prompt = "of Light, and" // 13 characters, the context is 8
	tokens, ids, want := forwardAttention(t, run, prompt)
	if len(ids) != 8 {
		t.Fatalf("the reference has %d tokens, want the context's 8", len(ids))
	}
	type pick struct{ layer, head int }
	for _, tc := range []struct {
		flags []string
		want  []pick
	}{
		{nil, []pick{{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
		{[]string{"--layer", "1"}, []pick{{1, 0}, {1, 1}}},
		{[]string{"--head", "1"}, []pick{{0, 1}, {1, 1}}},
		{[]string{"--layer", "0", "--head", "1"}, []pick{{0, 1}}},
		{[]string{"--layer", "-1", "--head", "-1"}, []pick{{0, 0}, {0, 1}, {1, 0}, {1, 1}}},
	} {
		r := tick(t, dir, "", append([]string{"attention", "--model", run, "--prompt", prompt, "--format", "json"}, tc.flags...)...)
		mustSucceed(t, r)
		if !strings.Contains(r.stderr, "13 tokens") || !strings.Contains(r.stderr, "context of 8") || !strings.Contains(r.stderr, "first 8") {
			t.Errorf("%v: no note that the 13-token prompt is cut to the context of 8:\n%s", tc.flags, r)
		}
		hs := parseAttentionJSON(t, r)
		var got []pick
		for _, h := range hs {
			got = append(got, pick{h.Layer, h.Head})
			if !slices.Equal(h.IDs, ids) || !slices.Equal(h.Tokens, tokens) {
				t.Errorf("%v: layer %d head %d: tokens %q (%v), want the prompt's first 8, %q (%v)", tc.flags, h.Layer, h.Head, h.Tokens, h.IDs, tokens, ids)
			}
			if len(h.Weights) != len(ids) {
				t.Fatalf("%v: layer %d head %d: %d rows of weights for %d tokens", tc.flags, h.Layer, h.Head, len(h.Weights), len(ids))
			}
			for i, row := range h.Weights {
				sum := 0.0
				for j, w := range row {
					sum += w
					if j > i && w != 0 {
						t.Errorf("%v: layer %d head %d: query %d gives key %d, after it, weight %g", tc.flags, h.Layer, h.Head, i, j, w)
					}
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Errorf("%v: layer %d head %d: row %d adds up to %.15g", tc.flags, h.Layer, h.Head, i, sum)
				}
				if !slices.Equal(row, want[h.Layer][h.Head][i]) {
					t.Errorf("%v: layer %d head %d row %d: %v; Model.Attention after a forward pass gives %v", tc.flags, h.Layer, h.Head, i, row, want[h.Layer][h.Head][i])
				}
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: showed (layer, head) %v, want %v", tc.flags, got, tc.want)
		}
	}
}

// TestAttentionText reads the shaded maps back: one per head, each row
// labelled with its position and token, and every cell the block the
// printed shading line gives the weight of a forward pass done here.
func TestAttentionText(t *testing.T) {
	run := attentionModel(t)
	const prompt = "the Rays" // 8 characters: the whole context
	tokens, _, want := forwardAttention(t, run, prompt)
	r := tick(t, t.TempDir(), "", "attention", "--model", run, "--prompt", prompt)
	mustSucceed(t, r)
	if r.stderr != "" {
		t.Errorf("a prompt that fits: stderr %q", r.stderr)
	}
	m := regexp.MustCompile(`(?m)^shading: (.*)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no shading line:\n%s", r)
	}
	type band struct{ lo, hi float64 }
	bands := map[string]band{}
	lo := 0.0
	for _, part := range strings.Split(m[1], ", ") {
		p := regexp.MustCompile(`^"?(.)"? (<|>=) ([0-9.]+)$`).FindStringSubmatch(part)
		if p == nil {
			t.Fatalf("shading %q: part %q is not BLOCK < X or BLOCK >= X", m[1], part)
		}
		x, _ := strconv.ParseFloat(p[3], 64)
		if p[2] == ">=" {
			bands[p[1]] = band{x, math.Inf(1)}
		} else {
			bands[p[1]], lo = band{lo, x}, x
		}
	}

	const T = 8
	lines := strings.Split(r.stdout, "\n")
	layer, maps := -1, 0
	for n := 0; n < len(lines); n++ {
		if l, ok := strings.CutPrefix(lines[n], "Layer "); ok {
			layer, _ = strconv.Atoi(l)
			continue
		}
		if !regexp.MustCompile(`^ +head \d+( +head \d+)*$`).MatchString(lines[n]) {
			continue
		}
		title := lines[n]
		titles := regexp.MustCompile(`head (\d+)`).FindAllStringSubmatchIndex(title, -1)
		if layer < 0 {
			t.Fatalf("a map before any Layer heading:\n%s", r)
		}
		for n++; strings.Trim(lines[n], " 0123456789") == ""; n++ { // key positions
		}
		for i := range T {
			line := lines[n+i]
			row := []rune(line) // char-level: every label is one column
			if lab := regexp.MustCompile(`^ *(\d+) (\S) `).FindStringSubmatch(line); lab == nil || lab[1] != strconv.Itoa(i) || lab[2] != strings.ReplaceAll(tokens[i], " ", "·") {
				t.Errorf("row %d is %q; want it labelled %d and %q", i, line, i, tokens[i])
			}
			for _, ti := range titles {
				h, _ := strconv.Atoi(title[ti[2]:ti[3]])
				for j := range T {
					c := " "
					if ti[0]+j < len(row) {
						c = string(row[ti[0]+j])
					}
					w := want[layer][h][i][j]
					if b, ok := bands[c]; !ok || w < b.lo || w >= b.hi {
						t.Errorf("layer %d head %d query %d key %d: weight %.3f shown as %q; the shading line says %s", layer, h, i, j, w, c, m[1])
					}
				}
			}
		}
		maps += len(titles)
		n += T - 1
	}
	if maps != 4 {
		t.Errorf("%d maps shown, want 2 layers x 2 heads:\n%s", maps, r)
	}
	if n := len(regexp.MustCompile(`(?m)^  head \d: \S`).FindAllString(r.stdout, -1)); n != 4 {
		t.Errorf("%d sentences on what a head does, want 4", n)
	}
}

// TestAttentionPNG writes the grid of every head and the tile of one into
// PNGs (the first in a folder that does not exist yet) and decodes them:
// square tiles, a row per layer and a column per head, beside a colour
// scale as wide in both.
func TestAttentionPNG(t *testing.T) {
	run := attentionModel(t)
	dir := t.TempDir()
	all, one := filepath.Join(dir, "new", "all.png"), filepath.Join(dir, "one.png")
	r := tick(t, dir, "", "attention", "--model", run, "--prompt", "the Rays", "--png", all)
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "heat maps: "+all) {
		t.Errorf("the output does not say where the PNG is:\n%s", r)
	}
	mustSucceed(t, tick(t, dir, "", "attention", "--model", run, "--prompt", "the Rays", "--layer", "1", "--head", "0", "--png", one))
	size := func(path string) image.Rectangle {
		img, err := pngfile.Read(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return img.Bounds()
	}
	a, o := size(all), size(one)
	near := func(x, y int) bool { return x-y <= 2 && y-x <= 2 }
	// One tile is o.Dy() square; the grid has 2 rows of 2 tiles.
	if !near(a.Dy(), 2*o.Dy()) || !near(a.Dx()-o.Dx(), o.Dy()) || o.Dx() <= o.Dy() {
		t.Errorf("the PNG of 2 layers x 2 heads is %dx%d, that of one head %dx%d: want 2x2 square tiles of the one's height, and a scale beside them", a.Dx(), a.Dy(), o.Dx(), o.Dy())
	}
}

// TestAttentionBadInput: each mistake gives one line naming it and the fix.
func TestAttentionBadInput(t *testing.T) {
	run := attentionModel(t)
	dir := t.TempDir()
	aFile := filepath.Join(dir, "a-file")
	if err := os.WriteFile(aFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := []string{"attention", "--model", run, "--prompt", "the Rays"}
	for _, tc := range []struct {
		args  []string
		names []string
	}{
		{append(ok, "--layer", "2"), []string{"--layer 2", "2 layers", "0 to 1"}},
		{append(ok, "--layer", "-2"), []string{"--layer -2", "0 to 1"}},
		{append(ok, "--head", "2"), []string{"--head 2", "2 heads", "0 to 1"}},
		{[]string{"attention", "--model", run, "--prompt", "T"}, []string{"--prompt", "1 token", "at least 2"}},
		{[]string{"attention", "--model", run, "--prompt", ""}, []string{"--prompt"}},
		{[]string{"attention", "--model", run, "--prompt", "日本"}, []string{"--prompt", "日"}},
		{[]string{"attention", "--model", filepath.Join(dir, "no-run"), "--prompt", "the"}, []string{"no-run", "tick train"}},
		{[]string{"attention", "--prompt", "the"}, []string{"--model"}},
		{append(ok, "--format", "xml"), []string{"--format", "xml"}},
		{append(ok, "extra"), []string{"extra", "--prompt"}},
		{append(ok, "--png", filepath.Join(aFile, "x.png")), []string{"--png", "a-file"}},
		{append(ok, "--heads", "2"), []string{"--heads"}},
	} {
		checkBadInput(t, tick(t, dir, "", tc.args...), tc.names...)
	}
}

// TestAttentionHelp: the help fits an 80-column terminal (tabs at 8).
func TestAttentionHelp(t *testing.T) {
	r := tick(t, t.TempDir(), "", "attention", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage: tick attention") {
		t.Fatalf("no usage text:\n%s", r)
	}
	// TestHelpFitsTerminal checks its width with every other command.
	if h := tick(t, t.TempDir(), "", "help"); !strings.Contains(h.stdout, "  attention ") {
		t.Errorf("tick help does not list attention:\n%s", h)
	}
}
