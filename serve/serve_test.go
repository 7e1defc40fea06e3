package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tick-llm/tick/attention"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
	"github.com/tick-llm/tick/tokenizer/split"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// testModel is a tiny random GPT on bytes: its distributions are far from
// uniform enough for top-k and top-p to cut, and it runs in microseconds.
func testModel(t testing.TB) Model {
	m := tinymodel.New(t, "gpt", tinymodel.Sizes{Vocab: 256, Context: 32, Layers: 2, Heads: 2, KVHeads: 2, Dim: 16}, 7)
	return Model{Name: "tiny", Model: m, Tok: tokenizer.Byte{}}
}

func newTestServer(t testing.TB, cfg Config) *httptest.Server {
	t.Helper()
	if cfg.Models == nil {
		cfg.Models = []Model{testModel(t)}
	}
	if cfg.Encodings == nil {
		cfg.Encodings = []string{"o200k_base", "cl100k_base"}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// call posts body (a value or a raw string) and decodes the answer into out;
// it returns the status and the error message of a failed call.
func call(t testing.TB, ts *httptest.Server, path string, body any, out any) (int, string) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	var resp *http.Response
	var err error
	if r == nil {
		resp, err = http.Get(ts.URL + path)
	} else {
		resp, err = http.Post(ts.URL+path, "application/json", r)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e ErrorBody
		if err := json.Unmarshal(data, &e); err != nil || e.Error == "" {
			t.Fatalf("%s: status %d without a JSON error: %q", path, resp.StatusCode, data)
		}
		return resp.StatusCode, e.Error
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s: %v in %q", path, err, data)
		}
	}
	return resp.StatusCode, ""
}

// TestStepsAreGenerateJSON checks the promise of the Generation view: its
// steps are, byte for byte, the lines `tick generate --step --format json`
// prints (a generate.Loop in ModeJSON over the same model, prompt, options
// and seed), including after a change of temperature mid-way.
func TestStepsAreGenerateJSON(t *testing.T) {
	mod := testModel(t)
	ts := newTestServer(t, Config{Models: []Model{mod}})
	opts := sample.Options{Temperature: 1.2, TopK: 20, TopP: 0.9}
	const n = 12
	// The CLI's way.
	ids, _ := mod.Tok.Encode("the cat")
	g, err := generate.New(mod.Model, ids, generate.Options{Sample: opts, Seed: 42, Top: 5, TokenText: mod.Tok.TokenBytes})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	loop := generate.Loop{Stepper: g, TokenText: mod.Tok.TokenBytes, Mode: generate.ModeJSON, MaxTokens: n, Out: &out}
	if _, err := loop.Run(); err != nil {
		t.Fatal(err)
	}
	var want []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if len(want) != n {
		t.Fatalf("the loop printed %d steps, want %d", len(want), n)
	}
	// The page's way.
	var st struct {
		Session string          `json:"session"`
		Next    json.RawMessage `json:"next"`
	}
	call(t, ts, "/api/generate/start", StartRequest{Model: "tiny", Prompt: "the cat", Sampling: Sampling{1.2, 20, 0.9}, Seed: 42, Candidates: 5}, &st)
	for i := range n {
		var compact bytes.Buffer
		json.Compact(&compact, st.Next)
		if compact.String() != want[i] {
			t.Fatalf("step %d:\n api %s\n cli %s", i+1, compact.String(), want[i])
		}
		call(t, ts, "/api/generate/step", map[string]string{"session": st.Session}, &st)
	}
	// Back and a new temperature: the same numbers as a Generator told the same.
	call(t, ts, "/api/generate/back", map[string]string{"session": st.Session}, &st)
	call(t, ts, "/api/generate/sampling", map[string]any{"session": st.Session, "temperature": 0.5, "top_k": 3, "top_p": 1}, &st)
	if err := g.Back(); err != nil {
		t.Fatal(err)
	}
	if err := g.SetSampling(sample.Options{Temperature: 0.5, TopK: 3, TopP: 1}); err != nil {
		t.Fatal(err)
	}
	step, _ := g.Propose()
	w, _ := json.Marshal(step)
	var compact bytes.Buffer
	json.Compact(&compact, st.Next)
	if compact.String() != string(w) {
		t.Fatalf("after back and new sampling:\n api %s\n gen %s", compact.String(), w)
	}
}

// TestBadRequests: every malformed or out-of-bounds request is a 4xx with
// a message that names the problem, never a crash or a 200.
func TestBadRequests(t *testing.T) {
	ts := newTestServer(t, Config{MaxSessions: 2})
	huge := `{"text": "` + strings.Repeat("a", MaxBody) + `"}`
	long := map[string]string{"text": strings.Repeat("a", MaxText+1)}
	cases := []struct {
		path   string
		body   any
		status int
		want   string
	}{
		{"/api/tokenize", `{"text": "hi"`, 400, "not the JSON"},
		{"/api/tokenize", ``, 400, "empty"},
		{"/api/tokenize", `{"text": 3}`, 400, "not the JSON"},
		{"/api/tokenize", `{"txt": "hi"}`, 400, "unknown field"},
		{"/api/tokenize", `{"text": "a"} {"text": "b"}`, 400, "more than one"},
		{"/api/tokenize", huge, 413, "over 1048576 bytes"},
		{"/api/tokenize", long, 400, "over the limit"},
		{"/api/tokenize", map[string]any{"text": "a", "encodings": []string{"gpt9"}}, 404, `no encoding "gpt9"`},
		{"/api/merges", map[string]any{"encoding": "o200k_base", "id": -1}, 400, "outside"},
		{"/api/merges", map[string]any{"encoding": "../../etc/passwd", "id": 1}, 404, "no encoding"},
		{"/api/generate/start", map[string]any{"model": "nope", "prompt": "a", "temperature": 1, "top_p": 1}, 404, `no model "nope"`},
		{"/api/generate/start", map[string]any{"model": "/tmp/run", "prompt": "a", "temperature": 1, "top_p": 1}, 404, "no model"},
		{"/api/generate/start", map[string]any{"model": "tiny", "prompt": "a", "temperature": -1, "top_p": 1}, 400, "Temperature -1"},
		{"/api/generate/start", map[string]any{"model": "tiny", "prompt": "a", "temperature": 1, "top_p": 0}, 400, "TopP 0"},
		{"/api/generate/start", map[string]any{"model": "tiny", "prompt": "", "temperature": 1, "top_p": 1}, 400, "beginning-of-text"},
		{"/api/generate/start", map[string]any{"model": "tiny", "prompt": strings.Repeat("a", MaxPromptTokens+1), "temperature": 1, "top_p": 1}, 400, "over the limit of 4096"},
		{"/api/generate/step", map[string]any{"session": "nope"}, 404, "no session"},
		{"/api/generate/run", map[string]any{"session": "nope", "n": MaxRun + 1}, 400, "n is"},
		{"/api/attention", map[string]any{"model": "tiny", "ids": []int{1, 999}}, 400, "outside the vocabulary"},
		{"/api/attention", map[string]any{"model": "tiny", "ids": []int{1}, "text": "a"}, 400, "not both"},
		{"/api/runs/x/metrics", nil, 404, "no run"},
	}
	for _, c := range cases {
		status, msg := call(t, ts, c.path, c.body, nil)
		if status != c.status || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s %.60v: status %d %q; want %d and a line with %q", c.path, c.body, status, msg, c.status, c.want)
		}
	}
	// Picking an id outside the vocabulary in a live session.
	var st State
	call(t, ts, "/api/generate/start", StartRequest{Model: "tiny", Prompt: "a", Sampling: Sampling{1, 0, 1}}, &st)
	if status, msg := call(t, ts, "/api/generate/step", map[string]any{"session": st.Session, "id": 256}, nil); status != 400 || !strings.Contains(msg, "outside the vocabulary") {
		t.Errorf("pick id 256: %d %q", status, msg)
	}
	if status, msg := call(t, ts, "/api/generate/back", map[string]any{"session": st.Session}, nil); status != 400 || !strings.Contains(msg, "nothing to go back") {
		t.Errorf("back at the start: %d %q", status, msg)
	}
}

// TestSessionsAreSeparate runs sessions at once (run with -race): each
// gives the tokens a Generator of its own seed gives alone, and the oldest
// session is dropped when more than MaxSessions start.
func TestSessionsAreSeparate(t *testing.T) {
	mod := testModel(t)
	const sessions, steps = 6, 10
	ts := newTestServer(t, Config{Models: []Model{mod}, MaxSessions: sessions})
	want := make([][]int, sessions)
	for i := range sessions {
		ids, _ := mod.Tok.Encode("ab")
		out, err := generate.Continue(mod.Model, ids, steps, sample.Options{Temperature: 1, TopP: 1}, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = append(ids, out...)
	}
	got := make([][]int, sessions)
	ids := make([]string, sessions)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Go(func() {
			var st State
			call(t, ts, "/api/generate/start", StartRequest{Model: "tiny", Prompt: "ab", Sampling: Sampling{1, 0, 1}, Seed: uint64(i)}, &st)
			ids[i] = st.Session
			for range steps / 2 { // single steps and a run, interleaved with the other sessions
				call(t, ts, "/api/generate/step", map[string]string{"session": st.Session}, &st)
			}
			call(t, ts, "/api/generate/run", map[string]any{"session": st.Session, "n": steps - steps/2}, &st)
			// And an attention request on the same model meanwhile.
			call(t, ts, "/api/attention", map[string]any{"model": "tiny", "text": "ab"}, nil)
			for _, c := range st.Context {
				got[i] = append(got[i], c.ID)
			}
		})
	}
	wg.Wait()
	for i := range sessions {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Errorf("session %d: %v, alone it gives %v", i, got[i], want[i])
		}
	}
	// One more session drops the least recently used one, only that.
	call(t, ts, "/api/generate/state?session="+ids[1], nil, nil) // 1 is now recent
	var st State
	call(t, ts, "/api/generate/start", StartRequest{Model: "tiny", Prompt: "x", Sampling: Sampling{1, 0, 1}}, &st)
	dropped := 0
	for _, id := range ids {
		if status, _ := call(t, ts, "/api/generate/state?session="+id, nil, nil); status == 404 {
			dropped++
		}
	}
	if status, _ := call(t, ts, "/api/generate/state?session="+ids[1], nil, nil); dropped != 1 || status != 200 {
		t.Errorf("after one session too many, %d were dropped (want 1) and the recently used one answers %d", dropped, status)
	}
}

// TestTokenize compares the Tokens view's answer with the encoding itself
// (which tokenizer's tests prove equal to tiktoken) and checks its counts.
func TestTokenize(t *testing.T) {
	ts := newTestServer(t, Config{})
	text := "hello world\n\tindented  twice 🧑‍💻"
	var res TokenizeResponse
	call(t, ts, "/api/tokenize", TokenizeRequest{Text: text}, &res)
	if len(res.Results) != 3 { // two encodings and the model's byte tokenizer
		t.Fatalf("%d results, want 3", len(res.Results))
	}
	for _, r := range res.Results[:2] {
		enc, err := tokenizer.Get(r.Encoding)
		if err != nil {
			t.Fatal(err)
		}
		want := enc.EncodeOrdinary(text)
		var got []int
		var joined strings.Builder
		bytes := 0
		for _, k := range r.Tokens {
			got = append(got, k.ID)
			b, _ := enc.TokenBytes(k.ID)
			joined.Write(b)
			bytes += k.Bytes
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || joined.String() != text || r.Count != len(want) || bytes != len(text) || r.Bytes != len(text) {
			t.Errorf("%s: %v (count %d, %d bytes), want %v", r.Encoding, got, r.Count, bytes, want)
		}
		if math.Abs(r.BytesPerToken-float64(len(text))/float64(len(want))) > 1e-12 || !r.Merges {
			t.Errorf("%s: %g bytes/token, merges %v", r.Encoding, r.BytesPerToken, r.Merges)
		}
	}
	if b := res.Results[2]; b.Encoding != "model:tiny" || b.Count != len(text) || b.Tokens[5].Visible != "·" {
		t.Errorf("the model's byte tokenizer: %s, %d tokens, token 5 %q", b.Encoding, b.Count, b.Tokens[5].Visible)
	}
}

// TestMerges: a token's merge tree ends in single bytes that spell it, and
// every inner node is a token made of its parts.
func TestMerges(t *testing.T) {
	ts := newTestServer(t, Config{})
	enc, _ := tokenizer.Get("o200k_base")
	id, _ := enc.Rank([]byte(" tokenizer"))
	var n MergeNode
	call(t, ts, "/api/merges", MergesRequest{Encoding: "o200k_base", ID: id}, &n)
	var check func(n *MergeNode) string
	check = func(n *MergeNode) string {
		b, _ := enc.TokenBytes(n.ID)
		if len(n.Parts) == 0 {
			if len(b) != 1 {
				t.Errorf("leaf %d is %q, not one byte", n.ID, b)
			}
			return string(b)
		}
		var s string
		for _, p := range n.Parts {
			s += check(p)
		}
		if s != string(b) || n.Visible != tokenizer.Visible(b) {
			t.Errorf("node %d %q is made of %q", n.ID, b, s)
		}
		return s
	}
	if s := check(&n); s != " tokenizer" || len(n.Parts) != 2 {
		t.Errorf("tree of %q spells %q with %d parts", " tokenizer", s, len(n.Parts))
	}
}

// TestAttention compares the API's weights with attention.Maps and keeps
// only the last tokens of a long text.
func TestAttention(t *testing.T) {
	mod := testModel(t)
	ts := newTestServer(t, Config{Models: []Model{mod}})
	text := strings.Repeat("abc ", 10) // 40 tokens, over the context of 32
	var a AttentionResponse
	call(t, ts, "/api/attention", AttentionRequest{Model: "tiny", Text: text}, &a)
	ids, _ := mod.Tok.Encode(text)
	if a.Dropped != 8 || len(a.IDs) != 32 || fmt.Sprint(a.IDs) != fmt.Sprint(ids[8:]) || a.Tokens[3] != "·" {
		t.Fatalf("dropped %d, %d ids, tokens %q", a.Dropped, len(a.IDs), a.Tokens[:4])
	}
	maps, err := attention.Maps(mod.Model, ids[8:])
	if err != nil {
		t.Fatal(err)
	}
	for l := range maps {
		for h := range maps[l] {
			for i := range 32 {
				sum := 0.0
				for j := range 32 {
					sum += a.Layers[l][h][i][j]
					if a.Layers[l][h][i][j] != maps[l][h].Weights.At(i, j) {
						t.Fatalf("layer %d head %d [%d][%d]: %g, Maps %g", l, h, i, j, a.Layers[l][h][i][j], maps[l][h].Weights.At(i, j))
					}
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Fatalf("layer %d head %d row %d adds up to %g", l, h, i, sum)
				}
			}
		}
	}
}

// TestRunMetrics polls a metrics.jsonl that grows, as a training run's
// does, with an unfinished last line the reader must wait for.
func TestRunMetrics(t *testing.T) {
	dir := t.TempDir()
	ts := newTestServer(t, Config{Runs: []Run{{Name: "r", Dir: dir}}})
	var m MetricsResponse
	call(t, ts, "/api/runs/r/metrics", nil, &m)
	if m.Total != 0 || len(m.Metrics) != 0 || m.Sample != nil {
		t.Fatalf("before the run: %+v", m)
	}
	var buf bytes.Buffer
	for i := 1; i <= 3; i++ {
		line, _ := json.Marshal(train.Metric{Kind: "step", Step: i, Loss: 5 - float64(i)})
		buf.Write(append(line, '\n'))
	}
	buf.WriteString(`{"kind":"eval","step":3,"val_`) // being written
	if err := os.WriteFile(filepath.Join(dir, "metrics.jsonl"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	call(t, ts, "/api/runs/r/metrics?since=1", nil, &m)
	if m.Total != 3 || len(m.Metrics) != 2 || m.Metrics[0].Step != 2 || m.Metrics[1].Loss != 2 {
		t.Fatalf("since=1: %+v", m)
	}
	if status, msg := call(t, ts, "/api/runs/r/metrics?since=-1", nil, nil); status != 400 || !strings.Contains(msg, "since") {
		t.Errorf("since=-1: %d %q", status, msg)
	}
}

// TestTrainedEncoding: a .tiktoken file given at start (tick serve
// --encoding) is offered beside the built-ins, with the IDs its own
// encoding gives and merge trees.
func TestTrainedEncoding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.tiktoken")
	v, err := bpe.Train([]byte(strings.Repeat("the rays of light are refracted; ", 200)), bpe.Options{VocabSize: 300, Pattern: split.CL100K})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, Config{Encodings: append(tokenizer.Builtins(), path)})
	text := "the rays of light"
	var res TokenizeResponse
	call(t, ts, "/api/tokenize", TokenizeRequest{Text: text, Encodings: []string{path}}, &res)
	enc, err := tokenizer.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	want := enc.EncodeOrdinary(text)
	if len(res.Results) != 1 || res.Results[0].Count != len(want) || !res.Results[0].Merges {
		t.Fatalf("results %+v, want %d tokens of %s with merge trees", res.Results, len(want), path)
	}
	for i, k := range res.Results[0].Tokens {
		if k.ID != want[i] {
			t.Errorf("token %d: id %d, want %d", i, k.ID, want[i])
		}
	}
}
