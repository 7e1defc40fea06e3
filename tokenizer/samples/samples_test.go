package samples

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestSamples checks that every embedded file is listed, and that each text
// is valid UTF-8, of a useful size, and mostly in the script it claims.
func TestSamples(t *testing.T) {
	embedded, err := fs.Glob(files, "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range embedded {
		names = append(names, strings.TrimSuffix(f, ".txt"))
	}
	slices.Sort(names)
	listed := slices.Sorted(slices.Values(Names()))
	if !slices.Equal(names, listed) {
		t.Errorf("embedded files %v, listed samples %v: list every .txt file in samples.go", names, listed)
	}
	// The script most letters of each sample should be in.
	tables := map[string]*unicode.RangeTable{
		"zh": unicode.Han, "ja": unicode.Han, "ko": unicode.Hangul, "ru": unicode.Cyrillic,
		"ar": unicode.Arabic, "hi": unicode.Devanagari, "ta": unicode.Tamil, "el": unicode.Greek,
		"th": unicode.Thai, "emoji": unicode.Latin,
	}
	for _, s := range All() {
		if !utf8.ValidString(s.Text) {
			t.Errorf("%s: not valid UTF-8", s.Name)
		}
		if len(s.Text) < 4<<10 {
			t.Errorf("%s: only %d bytes", s.Name, len(s.Text))
		}
		tab := tables[s.Name]
		if tab == nil {
			t.Errorf("%s: no script to check it against in this test", s.Name)
			continue
		}
		letters, in := 0, 0
		for _, r := range s.Text {
			if unicode.IsLetter(r) {
				letters++
				if unicode.Is(tab, r) {
					in++
				}
			}
		}
		// Japanese mixes kanji with kana, so only a third is asked for.
		if in*3 < letters {
			t.Errorf("%s: only %d of %d letters are in its script", s.Name, in, letters)
		}
	}
	if !strings.ContainsRune(All()[len(list)-1].Text, '\u200d') {
		t.Error("emoji: no ZWJ sequence")
	}
}
