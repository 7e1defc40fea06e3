package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tick-llm/tick/serve"
	"github.com/tick-llm/tick/tokenizer"
)

func init() {
	commands["serve"] = command{
		summary: "show tokens, generation, attention and training in a browser",
		run:     runServe,
	}
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const serveUsage = `Usage: tick serve [--model DIR]... [--run DIR]... [--addr 127.0.0.1:8080]

Serves one page, with its script and style built into tick (no network
needed), and the JSON API the page uses. Open the URL it prints. Views:
Tokens (every encoding side by side; click a token for its merge tree),
Generation (step by step, the numbers of 'tick generate --step'), Attention
(every head for the current context) and Training (a run's loss curves and
samples while it trains). The page's state is in its URL, to share.

It reads only the models and run folders given here, never a path sent by
a browser. It listens on loopback unless --addr says otherwise.

API (JSON in and out; errors are {"error": "..."} with a 4xx status):
  GET  /api/info                 models, encodings, runs, limits
  POST /api/tokenize             {"text", "encodings": [names]} -> tokens per encoding
  POST /api/merges               {"encoding", "id"} -> the token's merge tree
  POST /api/generate/start       {"model", "prompt", "temperature", "top_k", "top_p",
                                  "seed", "candidates"} -> a session's state
  POST /api/generate/step        {"session", "id"?} take the sampler's token, or id
  POST /api/generate/back        {"session"} take the last token back
  POST /api/generate/sampling    {"session", "temperature", "top_k", "top_p"}
  POST /api/generate/run         {"session", "n"} take the sampler's token n times
  GET  /api/generate/state?session=ID
  POST /api/attention            {"model", "text" or "ids"} -> weights [layer][head][i][j]
  GET  /api/runs/NAME/metrics?since=N  metrics.jsonl lines from N on, progress, a sample
A state's "next" is the step exactly as 'tick generate --step --format json'
prints it. See the README's "tick serve" section for every field.`

func runServe(args []string) error {
	fs := newFlags("tick serve", serveUsage)
	var models, runs listFlag
	fs.Var(&models, "model", "a model to offer: a run folder written by 'tick train'\n(or any folder 'tick generate --model' loads); repeat for more")
	fs.Var(&runs, "run", "a run folder whose training to watch (it may still be\ntraining, or not yet started); repeat for more")
	var encodings listFlag
	fs.Var(&encodings, "encoding", "an encoding for the Tokens view besides the built-ins:\na .tiktoken file from tick bpe train, or llama3:PATH; repeat for more")
	addr := fs.String("addr", "127.0.0.1:8080", "host:port to listen on; a host other than loopback\nlets other machines use the page")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q; give models with --model DIR", rest[0])
	}
	cfg := serve.Config{}
	seen := map[string]string{}
	for _, dir := range models {
		name := filepath.Base(filepath.Clean(dir))
		if prev, dup := seen[name]; dup {
			return fmt.Errorf("--model %s and --model %s are both called %q: rename one folder", prev, dir, name)
		}
		seen[name] = dir
		m, tok, err := loadModel(dir)
		if err != nil {
			return fmt.Errorf("--model %s: %w", dir, err)
		}
		m.Float32Snapshot() // generation runs on float32 copies made once; attention maps read the float64 model
		cfg.Models = append(cfg.Models, serve.Model{Name: name, Model: m, Tok: tok})
	}
	seenRun := map[string]bool{}
	for _, dir := range runs {
		name := filepath.Base(filepath.Clean(dir))
		if seenRun[name] {
			return fmt.Errorf("two --run folders are called %q: rename one", name)
		}
		seenRun[name] = true
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			return fmt.Errorf("--run %s is not a folder: give a run folder of 'tick train --out DIR'", dir)
		}
		cfg.Runs = append(cfg.Runs, serve.Run{Name: name, Dir: dir})
	}
	if len(encodings) > 0 {
		cfg.Encodings = tokenizer.Builtins()
		for _, name := range encodings {
			// Read now: a bad file is a start-up error, not a page's.
			if _, err := tokenizer.Get(name); err != nil {
				return flagAdvice(fmt.Errorf("--encoding %s: %w", name, err))
			}
			cfg.Encodings = append(cfg.Encodings, name)
		}
	}
	srv, err := serve.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w; pick another port", *addr, errors.Unwrap(err))
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "note: listening on %s, reachable from other machines\n", ln.Addr())
	}
	fmt.Printf("tick serve: open http://%s/ (Ctrl-C stops)\n", ln.Addr())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	return hs.Serve(ln)
}
