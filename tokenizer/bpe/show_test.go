package bpe

import "testing"

func TestVisible(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"hello", "hello"},
		{" the", "␣the"},
		{"a\tb\r\n", "a⇥b␍↵"},
		{"\xe2\x80", `\xe2\x80`},                     // a character cut in two by a token
		{"\u200d\ufeff\u0085", `\u200d\ufeff\u0085`}, // invisible characters
		{"日本", "日本"},
		{"\x00", `\u0000`},
	} {
		if got := Visible([]byte(c.in)); got != c.want {
			t.Errorf("Visible(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
