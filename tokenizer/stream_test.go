package tokenizer

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStreamDecoder: pushing ids one at a time never emits a broken
// character while more bytes could still complete it, and everything
// emitted plus Flush equals Decode of all ids.
func TestStreamDecoder(t *testing.T) {
	inputs := []string{
		"😀👨‍👩‍👧‍👦 中文 e\u0301 مرحبا", // multi-token characters
		adversarial(13, 3000),
		"ok \xff\xfe then \xe4\xb8", // invalid bytes pass through, a truncated tail is flushed
		strings.Repeat("🏳️‍🌈", 50),
	}
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		for _, in := range inputs {
			ids := enc.EncodeOrdinary(in)
			d := enc.NewStreamDecoder()
			var sb strings.Builder
			for _, id := range ids {
				s, err := d.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				if utf8.ValidString(in) && !utf8.ValidString(s) {
					t.Fatalf("%s: Push emitted invalid UTF-8 %q from valid text", name, s)
				}
				sb.WriteString(s)
			}
			sb.WriteString(d.Flush())
			if sb.String() != in {
				t.Errorf("%s: streamed %q, want %q", name, clipString(sb.String()), clipString(in))
			}
		}
		d := enc.NewStreamDecoder()
		if _, err := d.Push(-5); err == nil {
			t.Errorf("%s: Push(-5) accepted an unknown id", name)
		}
	}
}

func TestCompletePrefix(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 3}, {"ab\xe4", 2}, {"ab\xe4\xb8", 2}, {"ab\xe4\xb8\xad", 5},
		{"\xf0\x9f\x98", 0}, {"\xf0\x9f\x98\x80", 4}, {"a\xff", 2}, {"a\x80", 2}, {"a\xc3", 1},
	}
	for _, tt := range tests {
		if got := completePrefix([]byte(tt.in)); got != tt.want {
			t.Errorf("completePrefix(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestStreamDecoderFunc: a decoder over a vocabulary given as a function
// streams like Encoding's own, and passes on its error for an unknown id.
func TestStreamDecoderFunc(t *testing.T) {
	enc := mustGet(t, "cl100k_base")
	in := "😀👨‍👩‍👧‍👦 中文 e\u0301 ok \xff then \xe4\xb8"
	a, b := enc.NewStreamDecoder(), NewStreamDecoderFunc(enc.TokenBytes)
	for _, id := range enc.EncodeOrdinary(in) {
		sa, _ := a.Push(id)
		sb, err := b.Push(id)
		if err != nil || sa != sb {
			t.Fatalf("token %d: the function's decoder gave %q, %v; the encoding's %q", id, sb, err, sa)
		}
	}
	if fa, fb := a.Flush(), b.Flush(); fa != fb {
		t.Errorf("flushed %q, the encoding's decoder %q", fb, fa)
	}
	bad := errors.New("no such token")
	d := NewStreamDecoderFunc(func(id int) ([]byte, error) { return nil, bad })
	if _, err := d.Push(3); !errors.Is(err, bad) {
		t.Errorf("Push gave %v, want the function's error", err)
	}
}
