package serve

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
)

// encodings are the tokenizers of the Tokens view: built-in encodings,
// loaded on first use (a rank file takes a moment to read), and the
// models' own tokenizers, called "model:NAME".
type encodings struct {
	order   []string
	builtin map[string]*lazyEncoding
	models  map[string]tokenizer.Tokenizer
}

type lazyEncoding struct {
	once sync.Once
	enc  *tokenizer.Encoding
	err  error
}

func modelEncoding(name string) string { return "model:" + name }

func newEncodings(names []string, models []Model) *encodings {
	e := &encodings{builtin: map[string]*lazyEncoding{}, models: map[string]tokenizer.Tokenizer{}}
	for _, n := range names {
		if _, dup := e.builtin[n]; !dup {
			e.builtin[n] = &lazyEncoding{}
			e.order = append(e.order, n)
		}
	}
	for _, m := range models {
		n := modelEncoding(m.Name)
		e.models[n] = m.Tok
		e.order = append(e.order, n)
	}
	return e
}

func (e *encodings) names() []string { return slices.Clone(e.order) }

// encoding returns the built-in encoding called name, loading it once.
func (e *encodings) encoding(name string) (*tokenizer.Encoding, error) {
	l, ok := e.builtin[name]
	if !ok {
		return nil, notFound("no encoding %q: this server has %q", name, e.order)
	}
	l.once.Do(func() { l.enc, l.err = tokenizer.Get(name) })
	return l.enc, l.err
}

// TokenInfo is one token as the Tokens view shows it.
type TokenInfo struct {
	ID      int    `json:"id"`
	Visible string `json:"visible"` // its bytes with whitespace made visible (tokenizer.Visible)
	Bytes   int    `json:"bytes"`   // how many bytes it stands for
	Special bool   `json:"special,omitempty"`
}

// Tokenized is one encoding's tokens of a text.
type Tokenized struct {
	Encoding      string      `json:"encoding"`
	Tokens        []TokenInfo `json:"tokens"`
	Count         int         `json:"count"`
	Bytes         int         `json:"bytes"`
	Chars         int         `json:"chars"`
	BytesPerToken float64     `json:"bytes_per_token"` // 0 for an empty text
	Merges        bool        `json:"merges"`          // /api/merges can explain its tokens
	Error         string      `json:"error,omitempty"` // this encoding cannot write the text (a char vocabulary)
}

// TokenizeRequest is the body of POST /api/tokenize. No Encodings means all.
type TokenizeRequest struct {
	Text      string   `json:"text"`
	Encodings []string `json:"encodings"`
}

// TokenizeResponse is its answer, in the order asked.
type TokenizeResponse struct {
	Results []Tokenized `json:"results"`
}

func (s *Server) tokenize(w http.ResponseWriter, r *http.Request) {
	handle(w, r, s.tokenizeAll)
}

func (s *Server) tokenizeAll(req TokenizeRequest) (TokenizeResponse, error) {
	if len(req.Text) > MaxText {
		return TokenizeResponse{}, badRequest("the text is %d bytes, over the limit of %d: tokenize a shorter part", len(req.Text), MaxText)
	}
	names := req.Encodings
	if len(names) == 0 {
		names = s.encodings.order
	}
	if len(names) > len(s.encodings.order) {
		return TokenizeResponse{}, badRequest("%d encodings asked; this server has %d", len(names), len(s.encodings.order))
	}
	out := TokenizeResponse{Results: make([]Tokenized, len(names))}
	for i, n := range names {
		t, err := s.tokenizeOne(req.Text, n)
		if err != nil {
			return TokenizeResponse{}, err
		}
		out.Results[i] = t
	}
	return out, nil
}

// tokenizeOne encodes text with the encoding called name. Special tokens
// are ordinary text here, as in tokenize's default for a model's input.
func (s *Server) tokenizeOne(text, name string) (Tokenized, error) {
	t := Tokenized{Encoding: name, Tokens: []TokenInfo{}, Bytes: len(text), Chars: utf8.RuneCountInString(text)}
	if tok, ok := s.encodings.models[name]; ok {
		ids, err := tok.Encode(text)
		if err != nil {
			t.Error = err.Error()
			return t, nil
		}
		for _, id := range ids {
			b := tok.TokenBytes(id)
			t.Tokens = append(t.Tokens, TokenInfo{ID: id, Visible: tokenizer.Visible(b), Bytes: len(b)})
		}
	} else {
		enc, err := s.encodings.encoding(name)
		if err != nil {
			return t, err
		}
		toks, err := enc.Tokens(enc.EncodeOrdinary(text))
		if err != nil {
			return t, fmt.Errorf("encoding %s: %w", name, err)
		}
		for _, k := range toks {
			t.Tokens = append(t.Tokens, TokenInfo{ID: k.ID, Visible: tokenizer.Visible(k.Bytes), Bytes: len(k.Bytes), Special: k.Special})
		}
		t.Merges = true
	}
	t.Count = len(t.Tokens)
	if t.Count > 0 {
		t.BytesPerToken = float64(t.Bytes) / float64(t.Count)
	}
	return t, nil
}

// MergesRequest is the body of POST /api/merges: which token of which
// built-in encoding.
type MergesRequest struct {
	Encoding string `json:"encoding"`
	ID       int    `json:"id"`
}

// MergeNode is a token's merge tree: a single byte (no parts), or the token
// that merging its parts, left to right, made.
type MergeNode struct {
	ID      int          `json:"id"`
	Visible string       `json:"visible"`
	Parts   []*MergeNode `json:"parts,omitempty"`
}

func (s *Server) merges(w http.ResponseWriter, r *http.Request) {
	handle(w, r, func(req MergesRequest) (*MergeNode, error) {
		enc, err := s.encodings.encoding(req.Encoding)
		if err != nil {
			return nil, err
		}
		if req.ID < 0 || req.ID >= enc.VocabSize() {
			return nil, badRequest("token id %d is outside %s's vocabulary [0, %d)", req.ID, req.Encoding, enc.VocabSize())
		}
		if enc.IsSpecial(req.ID) {
			return nil, badRequest("token %d is a special token of %s: it is not made by merging", req.ID, req.Encoding)
		}
		n, err := bpe.MergeTree(enc, req.ID)
		if err != nil {
			return nil, badRequest("token %d of %s: %v", req.ID, req.Encoding, err)
		}
		return mergeNode(n), nil
	})
}

func mergeNode(n *bpe.Node) *MergeNode {
	m := &MergeNode{ID: n.ID, Visible: tokenizer.Visible(n.Bytes)}
	for _, p := range n.Parts {
		m.Parts = append(m.Parts, mergeNode(p))
	}
	return m
}

// pageData is what index.html renders before any script runs: the Tokens
// view of the URL's text and encoding, so a shared link shows its tokens
// even to a reader that runs no script (chromium --dump-dom).
type pageData struct {
	Text     string
	Encoding string
	Result   *Tokenized
	Error    string
	Info     Info
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := pageData{Text: q.Get("text"), Encoding: q.Get("encoding"), Info: s.infoValue()}
	if d.Encoding == "" && len(s.encodings.order) > 0 {
		d.Encoding = s.encodings.order[0]
	}
	if d.Text != "" {
		res, err := s.tokenizeAll(TokenizeRequest{Text: d.Text, Encodings: []string{d.Encoding}})
		if err != nil {
			d.Error = err.Error()
		} else {
			d.Result = &res.Results[0]
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
	if err := s.page.Execute(w, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
