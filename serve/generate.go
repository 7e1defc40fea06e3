package serve

import (
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// A session is one browser tab's step-by-step generation: a
// generate.Generator, the same one `tick generate --step` drives, with its
// own KV cache. Its lock is held while it computes, so two requests on one
// session take turns and requests on other sessions do not wait.
type session struct {
	id    string
	model *model
	mu    sync.Mutex
	gen   *generate.Generator
	seed  uint64
	top   int
	elem  *list.Element // in sessions.lru
}

// sessions holds at most max sessions; starting one more drops the least
// recently used. Its lock guards only the map and the list, never a
// computation.
type sessions struct {
	mu   sync.Mutex
	max  int
	byID map[string]*session
	lru  *list.List // front: most recently used
}

func newSessions(max int) *sessions {
	return &sessions{max: max, byID: map[string]*session{}, lru: list.New()}
}

func (ss *sessions) add(s *session) {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	s.id = hex.EncodeToString(b)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for ss.lru.Len() >= ss.max {
		old := ss.lru.Remove(ss.lru.Back()).(*session)
		delete(ss.byID, old.id)
	}
	s.elem = ss.lru.PushFront(s)
	ss.byID[s.id] = s
}

func (ss *sessions) get(id string) (*session, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[id]
	if !ok {
		return nil, notFound("no session %q: it ended or was dropped for newer ones (at most %d live at once); start again with /api/generate/start", id, ss.max)
	}
	ss.lru.MoveToFront(s.elem)
	return s, nil
}

func (ss *sessions) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.lru.Len()
}

// Sampling is how the next token is picked, as in tick generate's flags.
type Sampling struct {
	Temperature float64 `json:"temperature"`
	TopK        int     `json:"top_k"`
	TopP        float64 `json:"top_p"`
}

func (s Sampling) options() (sample.Options, error) {
	o := sample.Options{Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP}
	if err := o.Validate(); err != nil {
		return o, badRequest("%v", err)
	}
	return o, nil
}

// StartRequest is the body of POST /api/generate/start. Sampling defaults
// to nothing: send all three numbers (tick generate's defaults are
// temperature 0.8, top_k 0, top_p 1).
type StartRequest struct {
	Model  string `json:"model"`
	Prompt string `json:"prompt"` // "" starts from the tokenizer's beginning-of-text token
	Sampling
	Seed       uint64 `json:"seed"`
	Candidates int    `json:"candidates"` // listed per step; 0: generate.DefaultTop
}

// ContextToken is a token of the context so far.
type ContextToken struct {
	ID      int    `json:"id"`
	Visible string `json:"visible"`
}

// State is every /api/generate answer: the session, its context, and the
// next step as `tick generate --step --format json` prints it (a
// generate.Step: candidates with prob, final_prob, kept and reason; the
// entropy; the sampler's choice), not yet taken.
type State struct {
	Session  string         `json:"session"`
	Model    string         `json:"model"`
	Sampling Sampling       `json:"sampling"`
	Seed     uint64         `json:"seed"`
	Context  []ContextToken `json:"context"`
	Text     string         `json:"text"`  // the context decoded, whitespace as typed
	Steps    int            `json:"steps"` // tokens generated so far
	Next     generate.Step  `json:"next"`
	Ended    bool           `json:"ended"` // the last token is the end-of-text token
}

func (s *Server) generateStart(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req StartRequest) (State, error) {
		m, err := s.model(req.Model)
		if err != nil {
			return State{}, err
		}
		opts, err := req.Sampling.options()
		if err != nil {
			return State{}, err
		}
		if req.Candidates < 0 || req.Candidates > 100 {
			return State{}, badRequest("candidates is %d: list 1 to 100 (0: %d)", req.Candidates, generate.DefaultTop)
		}
		if len(req.Prompt) > MaxText {
			return State{}, badRequest("the prompt is %d bytes, over the limit of %d", len(req.Prompt), MaxText)
		}
		ids, err := promptIDs(m.Tok, req.Prompt)
		if err != nil {
			return State{}, err
		}
		if len(ids) > MaxPromptTokens {
			return State{}, badRequest("the prompt is %d tokens, over the limit of %d: shorten it", len(ids), MaxPromptTokens)
		}
		m.mu.RLock()
		defer m.mu.RUnlock()
		g, err := generate.New(m.Model.Model, ids, generate.Options{Sample: opts, Seed: req.Seed, Top: req.Candidates, TokenText: m.Tok.TokenBytes})
		if err != nil {
			return State{}, badRequest("%v", err)
		}
		sess := &session{model: m, gen: g, seed: req.Seed}
		s.sessions.add(sess)
		sess.mu.Lock()
		defer sess.mu.Unlock()
		return sess.state()
	})
}

// promptIDs encodes a prompt as tick generate does: an empty one is the
// tokenizer's beginning-of-text token.
func promptIDs(tok tokenizer.Tokenizer, prompt string) ([]int, error) {
	if prompt != "" {
		ids, err := tok.Encode(prompt)
		if err != nil {
			return nil, badRequest("prompt: %v", err)
		}
		return ids, nil
	}
	start, ok := generate.BeginningOfText(tok.VocabSize(), tok.TokenBytes)
	if !ok {
		return nil, badRequest("the prompt is empty and this model's %s tokenizer has no beginning-of-text token to start from: give a prompt", tok.Name())
	}
	return []int{start}, nil
}

// state proposes the next step; the session's lock is held and the
// model's read lock too.
func (ss *session) state() (State, error) {
	st, err := ss.gen.Propose()
	if err != nil {
		return State{}, fmt.Errorf("%v", err)
	}
	o := ss.gen.Sampling()
	tok := ss.model.Tok
	ids := ss.gen.IDs()
	out := State{Session: ss.id, Model: ss.model.Name, Seed: ss.seed, Steps: st.Step - 1, Next: st,
		Sampling: Sampling{o.Temperature, o.TopK, o.TopP}, Context: make([]ContextToken, len(ids)), Text: string(tok.Decode(ids))}
	for i, id := range ids {
		out.Context[i] = ContextToken{id, tokenizer.Visible(tok.TokenBytes(id))}
	}
	if end, ok := generate.EndOfText(tok.VocabSize(), tok.TokenBytes); ok && len(ids) > 1 && ids[len(ids)-1] == end {
		out.Ended = true
	}
	return out, nil
}

// SessionRequest names a session.
type SessionRequest struct {
	Session string `json:"session"`
}

// StepRequest is the body of POST /api/generate/step: take the sampler's
// token, or with ID the token with that id (a candidate the user clicked;
// any id of the vocabulary).
type StepRequest struct {
	Session string `json:"session"`
	ID      *int   `json:"id"`
}

// SamplingRequest is the body of POST /api/generate/sampling: new options
// from the current step on (the step is drawn again with the same random
// number, as tick generate's + - [ ] keys do).
type SamplingRequest struct {
	Session string `json:"session"`
	Sampling
}

// RunRequest is the body of POST /api/generate/run: take the sampler's
// token N times (at most MaxRun), stopping early at the end-of-text token.
type RunRequest struct {
	Session string `json:"session"`
	N       int    `json:"n"`
}

// withSession runs f on the named session under its own lock and the
// model's read lock, then answers with the session's state.
func (s *Server) withSession(id string, f func(*session) error) (State, error) {
	sess, err := s.sessions.get(id)
	if err != nil {
		return State{}, err
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	sess.model.mu.RLock()
	defer sess.model.mu.RUnlock()
	if err := f(sess); err != nil {
		return State{}, err
	}
	return sess.state()
}

func (s *Server) generateStep(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req StepRequest) (State, error) {
		return s.withSession(req.Session, func(ss *session) error {
			st, err := ss.gen.Propose()
			if err != nil {
				return err
			}
			id := st.Chosen.ID
			if req.ID != nil {
				id = *req.ID
			}
			if err := ss.gen.Accept(id); err != nil {
				return badRequest("%v", err)
			}
			return nil
		})
	})
}

func (s *Server) generateBack(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req SessionRequest) (State, error) {
		return s.withSession(req.Session, func(ss *session) error {
			if err := ss.gen.Back(); err != nil {
				return badRequest("%v", err)
			}
			return nil
		})
	})
}

func (s *Server) generateSampling(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req SamplingRequest) (State, error) {
		o, err := req.Sampling.options()
		if err != nil {
			return State{}, err
		}
		return s.withSession(req.Session, func(ss *session) error { return ss.gen.SetSampling(o) })
	})
}

func (s *Server) generateRun(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req RunRequest) (State, error) {
		if req.N < 1 || req.N > MaxRun {
			return State{}, badRequest("n is %d: run 1 to %d tokens per call", req.N, MaxRun)
		}
		return s.withSession(req.Session, func(ss *session) error {
			end, hasEnd := generate.EndOfText(ss.model.Tok.VocabSize(), ss.model.Tok.TokenBytes)
			for range req.N {
				st, err := ss.gen.Propose()
				if err != nil {
					return err
				}
				if err := ss.gen.Accept(st.Chosen.ID); err != nil {
					return err
				}
				if hasEnd && st.Chosen.ID == end {
					break
				}
			}
			return nil
		})
	})
}

func (s *Server) generateState(w http.ResponseWriter, r *http.Request) {
	st, err := s.withSession(r.URL.Query().Get("session"), func(*session) error { return nil })
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, st)
}
