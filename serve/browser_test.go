package serve

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// The browser tests drive Debian's chromium, headless, through chromedp:
// one browser for all of them, a tab each.

// chromium finds the browser. Without one a developer's run skips, naming
// the package; CI (.ci/run exports CI=1 and installs it) fails instead, so a
// missing browser cannot pass for a tested page.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH, and CI is set: the browser tests must run in CI; install Debian's chromium (.ci/run does: apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: install it (Debian: apt-get install chromium) to run the browser tests")
	return ""
}

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// tab opens a new tab of the shared browser, with a generous deadline.
func tab(t *testing.T) context.Context {
	path := chromium(t)
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1200, 1000))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		browser.ctx = bctx
		browser.cancel = func() { bcancel(); acancel() }
		if err := chromedp.Do(bctx); err != nil {
			t.Fatalf("starting %s: %v", path, err)
		}
	})
	ctx, cancel := chromedp.NewContext(browser.ctx)
	ctx, cancel2 := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(func() { cancel2(); cancel() })
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval returns the value of a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// wait waits until a JavaScript expression is true, then until the page
// has no API call in flight.
func wait(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	for _, e := range []string{expr, `window.tick && window.tick.busy === 0`} {
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](e, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
			t.Fatalf("waiting for %s: %v", e, err)
		}
	}
}

// TestBrowserTokens types text and checks the tokens each panel shows
// against the encoding itself, then clicks a token for its merge tree.
func TestBrowserTokens(t *testing.T) {
	ts := newTestServer(t, Config{})
	ctx := tab(t)
	text := "Hello, world!\n  two  spaces"
	run(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.SendKeys("#text", text))
	wait(t, ctx, fmt.Sprintf(`document.querySelectorAll('#token-results .panel').length === 3 && document.querySelector('#text').value === %q`, text))
	ids := eval[[]string](t, ctx, `[...document.querySelectorAll('.panel[data-encoding="cl100k_base"] .tok')].map(s => s.dataset.id + ":" + s.textContent)`)
	run(t, ctx, chromedp.Click(`.panel[data-encoding="cl100k_base"] .tok:nth-child(2)`), chromedp.WaitVisible(`#merge-tree .tree`))
	tree := eval[string](t, ctx, `document.querySelector('#merge-tree .tree h3').textContent`)
	enc, _ := tokenizer.Get("cl100k_base")
	var want []string
	for _, id := range enc.EncodeOrdinary(text) {
		b, _ := enc.TokenBytes(id)
		want = append(want, fmt.Sprintf("%d:%s", id, tokenizer.Visible(b)))
	}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("cl100k_base panel shows\n %v\nwant\n %v", ids, want)
	}
	if !strings.Contains(tree, "cl100k_base made token "+strings.Split(want[1], ":")[0]) {
		t.Errorf("merge tree heading %q", tree)
	}
}

// TestBrowserURLState loads a shared link and reads the tokens from the
// DOM as chromium --dump-dom prints it: the state comes from the URL alone.
func TestBrowserURLState(t *testing.T) {
	ts := newTestServer(t, Config{})
	path := chromium(t)
	out, err := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", ts.URL+"/?text=hello%20world&encoding=o200k_base").Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	enc, _ := tokenizer.Get("o200k_base")
	dom := string(out)
	for _, id := range enc.EncodeOrdinary("hello world") {
		b, _ := enc.TokenBytes(id)
		span := fmt.Sprintf(`data-id="%d"`, id)
		if !strings.Contains(dom, span) || !strings.Contains(dom, ">"+tokenizer.Visible(b)+"</span>") {
			t.Errorf("the dumped DOM lacks token %d %q", id, tokenizer.Visible(b))
		}
	}
	if !strings.Contains(dom, `data-encoding="o200k_base"`) {
		t.Error("the dumped DOM has no o200k_base panel")
	}
}

// TestBrowserGeneration moves the temperature slider and checks the bars
// against a Generator told the same, then clicks a candidate and checks
// the branch, steps back, and opens the attention view on the context.
func TestBrowserGeneration(t *testing.T) {
	mod := testModel(t)
	ts := newTestServer(t, Config{Models: []Model{mod}})
	ctx := tab(t)
	type bar struct {
		ID    int     `json:"id"`
		Prob  float64 `json:"prob"`
		Final float64 `json:"final"`
		Kept  bool    `json:"kept"`
	}
	readBars := `[...document.querySelectorAll('#bars .cand')].map(r => ({id: +r.dataset.id, prob: +r.dataset.prob, final: +r.dataset.final, kept: r.classList.contains('kept')}))`
	run(t, ctx, chromedp.Navigate(ts.URL+"/?view=generate&prompt=the%20cat&seed=3&temperature=1&top_k=5&top_p=0.9"))
	wait(t, ctx, `document.querySelectorAll('#bars .cand').length > 0`)
	// Move the slider as a hand would: a new value, then change.
	run(t, ctx, chromedp.SetValue("#temperature", "1.5"))
	eval[bool](t, ctx, `document.querySelector('#temperature').dispatchEvent(new Event('change'))`)
	wait(t, ctx, `window.tick.state.sampling.temperature === 1.5`)
	bars := eval[[]bar](t, ctx, readBars)
	ids, _ := mod.Tok.Encode("the cat")
	g, err := generate.New(mod.Model, ids, generate.Options{Sample: sample.Options{Temperature: 1.5, TopK: 5, TopP: 0.9}, Seed: 3, TokenText: mod.Tok.TokenBytes})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := g.Propose()
	if len(bars) != len(want.Candidates) {
		t.Fatalf("%d bars, want %d", len(bars), len(want.Candidates))
	}
	cut := 0
	for i, c := range want.Candidates {
		b := bars[i]
		if b.ID != c.ID || math.Abs(b.Prob-c.Prob) > 1e-12 || math.Abs(b.Final-c.Final) > 1e-12 || b.Kept != c.Kept {
			t.Errorf("bar %d: %+v, want id %d prob %g final %g kept %v", i, b, c.ID, c.Prob, c.Final, c.Kept)
		}
		if !c.Kept {
			cut++
		}
	}
	if cut == 0 {
		t.Error("top-k 5 and top-p 0.9 cut none of the candidates: the test shows no cut mark")
	}
	// Click the fourth candidate: the context takes that branch.
	pick := bars[3].ID
	run(t, ctx, chromedp.Click(`#bars .cand:nth-child(4)`))
	wait(t, ctx, `window.tick.state.steps === 1`)
	last := eval[int](t, ctx, `+document.querySelector('#context .tok:last-child').dataset.id`)
	if last != pick {
		t.Errorf("clicked candidate %d, the context ends with %d", pick, last)
	}
	g.Accept(pick)
	next, _ := g.Propose()
	entropy := eval[string](t, ctx, `document.querySelector('#entropy').textContent`)
	if !strings.Contains(entropy, fmt.Sprintf("entropy %.3f bits", next.EntropyBits)) {
		t.Errorf("after the branch the page says %q, want entropy %.3f", entropy, next.EntropyBits)
	}
	// Back returns to the step before.
	run(t, ctx, chromedp.Click("#back"))
	wait(t, ctx, `window.tick.state.steps === 0`)
	// Attention on the context: a heat map per layer and head, one row per token.
	run(t, ctx, chromedp.Click(`button[data-view="attention"]`), chromedp.Click("#att-go"))
	wait(t, ctx, `document.querySelectorAll('#att-grid canvas').length > 0`)
	heads := eval[int](t, ctx, `document.querySelectorAll('#att-grid canvas').length`)
	tokens := eval[int](t, ctx, `document.querySelectorAll('#att-tokens .tok').length`)
	hover := eval[bool](t, ctx, `(() => { const s = document.querySelector('#att-tokens .tok:nth-child(3)'); s.dispatchEvent(new MouseEvent('mouseenter')); return s.classList.contains('selected'); })()`)
	if c := mod.Model.Config; heads != c.Layers*c.Heads || tokens != len(ids) || !hover {
		t.Errorf("attention view: %d heat maps (want %d), %d tokens (want %d), hover marks the token: %v", heads, c.Layers*c.Heads, tokens, len(ids), hover)
	}
}
