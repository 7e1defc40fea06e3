// Package serve is tick's page in a browser: one HTML page, embedded in the
// binary with its script and style (no CDN, works offline), and the JSON API
// it is built on. Everything the page shows, a script can ask for too.
//
//	serve.go       Config, Server, the routes, limits and errors
//	tokens.go      /api/tokenize and /api/merges: text to tokens, a token's merge tree
//	generate.go    /api/generate/...: step-by-step generation, one session per browser tab
//	attention.go   /api/attention: every head's weights for a context
//	training.go    /api/runs/...: a run folder's metrics.jsonl, polled while it trains
//	static/        the page: index.html, app.js, style.css
//
// Safe by default: the server reads only the models and run folders it was
// started with (the browser names them, it never sends a path); request
// bodies, texts and prompts are bounded; each session has its own
// generation state behind its own lock, so a slow request stalls only its
// own session; the number of sessions is bounded, the least recently used
// is dropped first. Listening on loopback is the caller's default (see
// cmd/tick/serve.go).
package serve

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"sync"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// Limits of the API. A request over one gets a 400 or 413 with a message
// that says which limit.
const (
	// MaxBody is the largest request body, in bytes.
	MaxBody = 1 << 20
	// MaxText is the longest text /api/tokenize takes, in bytes.
	MaxText = 64 << 10
	// MaxPromptTokens is the longest prompt, in tokens, a generation
	// session starts from (the model reads the last Context of them).
	MaxPromptTokens = 4096
	// MaxRun is the most tokens one /api/generate/run call generates.
	MaxRun = 256
	// MaxAttentionTokens is the most tokens /api/attention shows: the last
	// ones of the text, at most the model's context. The answer holds
	// layers × heads × T² numbers, so T stays small.
	MaxAttentionTokens = 64
	// DefaultMaxSessions is how many generation sessions live at once
	// unless Config.MaxSessions says.
	DefaultMaxSessions = 32
)

// Model is a loaded model the server may use, under the name the page and
// the API call it by.
type Model struct {
	Name  string
	Model *transformer.Model
	Tok   tokenizer.Tokenizer
}

// Run is a run folder whose training the page can watch.
type Run struct {
	Name string // what the page calls it
	Dir  string // the folder, given when the server started
}

// Config says what a Server may show.
type Config struct {
	Models []Model
	Runs   []Run
	// Encodings are the tokenizers the Tokens view offers besides the
	// models' own: the built-ins when nil.
	Encodings []string
	// MaxSessions bounds the live generation sessions (default
	// DefaultMaxSessions).
	MaxSessions int
}

// Server is the page and its API. It is an http.Handler.
type Server struct {
	mux       *http.ServeMux
	models    map[string]*model
	modelList []string
	runs      []Run
	samples   []runSample // one per run
	encodings *encodings
	sessions  *sessions
	page      *template.Template
}

// model is a Model with the lock that attention needs: a forward pass
// writes the model's activation buffers, so two attention requests on one
// model take turns (write lock) while generation, which runs on each
// session's own KV cache and only reads the weights, shares it (read lock).
type model struct {
	Model
	mu sync.RWMutex
}

//go:embed static
var static embed.FS

// New returns a Server for cfg. Model and run names must be unique.
func New(cfg Config) (*Server, error) {
	s := &Server{mux: http.NewServeMux(), models: map[string]*model{}, runs: cfg.Runs, samples: make([]runSample, len(cfg.Runs))}
	for _, m := range cfg.Models {
		if m.Name == "" || m.Model == nil || m.Tok == nil {
			return nil, fmt.Errorf("serve: model %q: a model needs a name, weights and a tokenizer", m.Name)
		}
		if _, dup := s.models[m.Name]; dup {
			return nil, fmt.Errorf("serve: two models are called %q: give each its own name", m.Name)
		}
		s.models[m.Name] = &model{Model: m}
		s.modelList = append(s.modelList, m.Name)
	}
	for i, r := range cfg.Runs {
		if slices.ContainsFunc(cfg.Runs[:i], func(o Run) bool { return o.Name == r.Name }) {
			return nil, fmt.Errorf("serve: two runs are called %q: give each its own name", r.Name)
		}
	}
	names := cfg.Encodings
	if names == nil {
		names = tokenizer.Builtins()
	}
	s.encodings = newEncodings(names, cfg.Models)
	max := cfg.MaxSessions
	if max <= 0 {
		max = DefaultMaxSessions
	}
	s.sessions = newSessions(max)
	page, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return nil, fmt.Errorf("serve: the page's template: %w", err)
	}
	s.page = page

	assets, _ := fs.Sub(static, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(assets)))
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /api/info", s.info)
	s.mux.HandleFunc("POST /api/tokenize", s.tokenize)
	s.mux.HandleFunc("POST /api/merges", s.merges)
	s.mux.HandleFunc("POST /api/generate/start", s.generateStart)
	s.mux.HandleFunc("POST /api/generate/step", s.generateStep)
	s.mux.HandleFunc("POST /api/generate/back", s.generateBack)
	s.mux.HandleFunc("POST /api/generate/sampling", s.generateSampling)
	s.mux.HandleFunc("POST /api/generate/run", s.generateRun)
	s.mux.HandleFunc("GET /api/generate/state", s.generateState)
	s.mux.HandleFunc("POST /api/attention", s.attention)
	s.mux.HandleFunc("GET /api/runs/{run}/metrics", s.runMetrics)
	return s, nil
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// Info is the answer of GET /api/info: what the server was started with.
type Info struct {
	Models    []ModelInfo `json:"models"`
	Encodings []string    `json:"encodings"`
	Runs      []string    `json:"runs"`
	Limits    Limits      `json:"limits"`
}

// ModelInfo describes one model.
type ModelInfo struct {
	Name      string `json:"name"`
	Tokenizer string `json:"tokenizer"`
	Encoding  string `json:"encoding"` // its name in /api/tokenize
	Vocab     int    `json:"vocab"`
	Context   int    `json:"context"`
	Layers    int    `json:"layers"`
	Heads     int    `json:"heads"`
	Dim       int    `json:"dim"`
}

// Limits are the API's bounds, for a client to respect up front.
type Limits struct {
	MaxBody            int `json:"max_body"`
	MaxText            int `json:"max_text"`
	MaxPromptTokens    int `json:"max_prompt_tokens"`
	MaxRun             int `json:"max_run"`
	MaxAttentionTokens int `json:"max_attention_tokens"`
	MaxSessions        int `json:"max_sessions"`
}

func (s *Server) infoValue() Info {
	in := Info{Encodings: s.encodings.names(), Runs: []string{}, Models: []ModelInfo{},
		Limits: Limits{MaxBody, MaxText, MaxPromptTokens, MaxRun, MaxAttentionTokens, s.sessions.max}}
	for _, name := range s.modelList {
		m := s.models[name]
		c := m.Model.Model.Config
		in.Models = append(in.Models, ModelInfo{Name: name, Tokenizer: m.Tok.Name(), Encoding: modelEncoding(name),
			Vocab: c.VocabSize, Context: c.Context, Layers: c.Layers, Heads: c.Heads, Dim: c.Dim})
	}
	for _, r := range s.runs {
		in.Runs = append(in.Runs, r.Name)
	}
	return in
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.infoValue()) }

// apiError is an error with its HTTP status.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &apiError{http.StatusNotFound, fmt.Sprintf(format, a...)}
}

// ErrorBody is the JSON of every error answer: {"error": "one line"}.
type ErrorBody struct {
	Error string `json:"error"`
}

// writeError answers with err's status (500 if it has none) and message.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var ae *apiError
	if errors.As(err, &ae) {
		status = ae.status
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(ErrorBody{err.Error()})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body of at most MaxBody bytes into v, refusing
// unknown fields (a typo in a field name is an error, not a default) and
// anything after the one object.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes: send less text", MaxBody)}
		}
		if errors.Is(err, io.EOF) {
			return badRequest("the request body is empty: send a JSON object")
		}
		return badRequest("the request body is not the JSON this call takes: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the request body holds more than one JSON value: send one object")
	}
	return nil
}

// handle runs f and writes its answer or error.
func handle[Req, Resp any](w http.ResponseWriter, r *http.Request, f func(Req) (Resp, error)) {
	var req Req
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	resp, err := f(req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, resp)
}

func (s *Server) model(name string) (*model, error) {
	if name == "" && len(s.modelList) == 1 {
		return s.models[s.modelList[0]], nil
	}
	m, ok := s.models[name]
	if !ok {
		if len(s.modelList) == 0 {
			return nil, notFound("no model %q: this server was started without models (tick serve --model RUN)", name)
		}
		return nil, notFound("no model %q: this server has %q", name, s.modelList)
	}
	return m, nil
}
