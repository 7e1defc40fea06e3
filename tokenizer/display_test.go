package tokenizer

import "testing"

func TestVisible(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{" a\tb\nc\r\n", "·a→b↵c␍↵"},
		{"\xe4\xb8", "<xe4><xb8>"},
		{"\u0301x", "◌\u0301x"},
		{"e\u0301", "e\u0301"},
		{"\x00\ufeff\u0085", "<U+0000><U+FEFF><U+0085>"},
		{"中文😀", "中文😀"},
	}
	for _, tt := range tests {
		if got := Visible([]byte(tt.in)); got != tt.want {
			t.Errorf("Visible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokens: offsets tile the decoded text and bytes match TokenBytes.
func TestTokens(t *testing.T) {
	enc := mustGet(t, "o200k_base")
	text := "hi <|endoftext|> 中文😀 \xff"
	ids, err := enc.Encode(text, SpecialAllow)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := enc.Tokens(ids)
	if err != nil {
		t.Fatal(err)
	}
	pos, specials := 0, 0
	for i, tok := range toks {
		if tok.ID != ids[i] || tok.Start != pos || text[tok.Start:tok.End] != string(tok.Bytes) {
			t.Fatalf("token %d = %+v, want id %d starting at %d", i, tok, ids[i], pos)
		}
		if tok.Special {
			specials++
		}
		pos = tok.End
	}
	if pos != len(text) || specials != 1 {
		t.Errorf("tokens cover %d of %d bytes with %d specials, want all and 1", pos, len(text), specials)
	}
	if _, err := enc.Tokens([]int{-1}); err == nil {
		t.Error("Tokens accepted id -1")
	}
}
