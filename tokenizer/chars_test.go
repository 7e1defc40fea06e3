package tokenizer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
	"github.com/tick-llm/tick/tokenizer/split"
)

// checkCharStart merges piece three ways, from whole characters (m), from
// bytes (bytesOnly) and by the plain algorithm, and fails unless all agree,
// through every inner merger the piece can take.
func checkCharStart(t *testing.T, label string, enc *Encoding, m, bytesOnly *merger, p []byte) {
	t.Helper()
	want := mergeReference(enc.vocab, p)
	if got := m.mergeFast(p, nil); !slices.Equal(got, want) {
		t.Fatalf("%s: mergeFast(%q) = %v, reference %v", label, clipString(string(p)), got, want)
	}
	if got := bytesOnly.mergeFast(p, nil); !slices.Equal(got, want) {
		t.Fatalf("%s: mergeFast(%q) from bytes = %v, reference %v", label, clipString(string(p)), got, want)
	}
	if _, whole := enc.vocab.rank(p); whole || len(p) == 0 {
		return // the inner mergers only see pieces that are not tokens
	}
	if got := m.mergeTree(p, nil); !slices.Equal(got, want) {
		t.Fatalf("%s: mergeTree(%q) = %v, reference %v", label, clipString(string(p)), got, want)
	}
	if n := m.startParts(p); n <= smallPiece {
		if got := m.mergeSmallParts(p, n, nil); !slices.Equal(got, want) {
			t.Fatalf("%s: mergeSmallParts(%q) = %v, reference %v", label, clipString(string(p)), got, want)
		}
	}
}

// byteRanks returns the ranks of a vocabulary of the 256 single bytes
// (byte b has rank b), for tests to add their own tokens to.
func byteRanks() map[string]int {
	ranks := map[string]int{}
	for b := range 256 {
		ranks[string([]byte{byte(b)})] = b
	}
	return ranks
}

// randomUTF8 returns n characters drawn from alphabet, a string of
// characters of several scripts, with spaces and ASCII between them.
func randomUTF8(r *rand.Rand, alphabet []rune, n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return []byte(b.String())
}

// TestCharStartMatchesBytes proves that starting from whole characters
// gives the tokens of starting from bytes, and of the plain algorithm, on
// every built-in encoding: on the pieces of every script's sample, on those
// pieces with their first and last characters cut off (so that characters
// meet other neighbours), and on random text mixing the samples'
// characters with spaces and ASCII, split and unsplit.
func TestCharStartMatchesBytes(t *testing.T) {
	var all strings.Builder
	seen := map[rune]bool{}
	var alphabet []rune
	for _, s := range samples.All() {
		all.WriteString(s.Text)
		for _, c := range s.Text {
			if !seen[c] {
				seen[c] = true
				alphabet = append(alphabet, c)
			}
		}
	}
	text := []byte(all.String())
	r := rand.New(rand.NewPCG(5, 9))
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		m, bytesOnly := enc.newMerger(), enc.newMerger()
		bytesOnly.noChars = true
		whole := 0 // characters that started whole: the test must exercise them
		for _, p := range enc.Pattern().Split(text) {
			whole += len(p) - int(m.startParts(p))
			checkCharStart(t, name, enc, m, bytesOnly, p)
			if len(p) > 6 {
				checkCharStart(t, name, enc, m, bytesOnly, p[1:len(p)-1])
			}
		}
		for i := range 400 {
			p := randomUTF8(r, alphabet, 1+r.IntN(60))
			if i%4 == 0 {
				checkCharStart(t, name, enc, m, bytesOnly, p)
				continue
			}
			for _, q := range enc.Pattern().Split(p) {
				checkCharStart(t, name, enc, m, bytesOnly, q)
			}
		}
		if enc.vocab.chars.count > 100 && whole == 0 {
			t.Errorf("%s: no character started whole on the samples: the test proves nothing", name)
		}
	}
}

// TestCharStartInvalidUTF8: a piece that is not valid UTF-8 merges from
// bytes (startParts gives one part per byte), with the same result.
func TestCharStartInvalidUTF8(t *testing.T) {
	enc := mustGet(t, "cl100k_base")
	m, bytesOnly := enc.newMerger(), enc.newMerger()
	bytesOnly.noChars = true
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []string{"中国\x80人民", "\xe4\xb8中国", "中国\xe4\xb8", "и\xd0и\xd0и", "的\xff的的", "\xed\xa0\x80中"} {
		p := []byte(s)
		if n := m.startParts(p); int(n) != len(p) {
			t.Errorf("startParts(%q) = %d parts, want %d (one per byte)", s, n, len(p))
		}
		checkCharStart(t, "cl100k_base", enc, m, bytesOnly, p)
	}
	for range 300 {
		p := randomUTF8(r, []rune("中国人的一и а"), 1+r.IntN(30))
		p[r.IntN(len(p))] = byte(r.UintN(256)) // one random byte, often breaking a character
		checkCharStart(t, "cl100k_base", enc, m, bytesOnly, p)
	}
}

// TestCharTableRule builds a vocabulary where starting from a whole
// character after a space would change the tokens, and checks that the
// table forbids exactly that: "中" is E4 B8 AD, made by E4+B8 (rank 256)
// and then E4B8+AD (rank 258), but " "+E4B8 (rank 257) comes between, so
// " 中" merges to [" \xe4\xb8", "\xad"], not [" ", "中"]. After another
// Chinese character no such token exists, and starting whole is allowed.
// It then makes the table allow the space and sees the tokens change: the
// rule is needed, not merely cautious.
func TestCharTableRule(t *testing.T) {
	ranks := byteRanks()
	ranks["\xe4\xb8"] = 256
	ranks[" \xe4\xb8"] = 257
	ranks["中"] = 258
	ranks["\xe5\x9b"] = 259
	ranks["国"] = 260 // E5 9B BD
	enc, err := New("rule", ranks, split.None, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := enc.vocab.chars.entry('中')
	if e == nil || e.tok != 258 {
		t.Fatalf("entry of 中 = %+v, want token 258", e)
	}
	if e.okAfter(' ') {
		t.Errorf("中 may start whole after a space, but \" \\xe4\\xb8\" (257) joins before 中 (258) is made")
	}
	for _, y := range []byte{'x', '\n', 0xBD, 0x80, 0xBF} { // 0xBD ends 国
		if !e.okAfter(y) {
			t.Errorf("中 may not start whole after byte %#x, which no token puts before it", y)
		}
	}
	if !e.okBefore(0) || !e.okBefore(1) {
		t.Errorf("中 may not start whole before ASCII (%v) or another character (%v), which no token involves", e.okBefore(0), e.okBefore(1))
	}
	m, bytesOnly := enc.newMerger(), enc.newMerger()
	bytesOnly.noChars = true
	for _, s := range []string{" 中", "国中", " 中国", "国 中", "中 ", "x中x"} {
		checkCharStart(t, "rule", enc, m, bytesOnly, []byte(s))
	}
	if n := m.startParts([]byte("国中")); n != 2 {
		t.Errorf("startParts(国中) = %d parts, want 2: both characters may start whole", n)
	}
	// Allow the space anyway: the shortcut now gives the wrong tokens.
	e.after[0] |= 1 << ' '
	want := mergeReference(enc.vocab, []byte(" 中"))
	if got := enc.newMerger().mergeFast([]byte(" 中"), nil); slices.Equal(got, want) {
		t.Errorf("with the rule broken, \" 中\" still merges to %v: this vocabulary does not show the rule is needed", got)
	}
}

// TestCharStartRandomVocabs checks the rule on vocabularies it was not
// written for: each is grown like BPE training grows one (join two
// adjacent tokens of a random text over a few characters of several
// scripts, add the result), in random order, so that some characters are
// made before the tokens that cross into them and some after. On every
// one, merging from whole characters must give the plain algorithm's
// tokens; over all of them, both kinds of character must occur.
func TestCharStartRandomVocabs(t *testing.T) {
	alphabet := []rune("中国人иа ก😀xé")
	r := rand.New(rand.NewPCG(21, 22))
	allowed, forbidden := 0, 0
	for seed := range 60 {
		ranks := byteRanks()
		enc, err := New("grow", ranks, split.None, nil)
		if err != nil {
			t.Fatal(err)
		}
		for len(ranks) < 256+40 {
			p := randomUTF8(r, alphabet, 2+r.IntN(6))
			ids := mergeReference(enc.vocab, p)
			if len(ids) < 2 {
				continue
			}
			i := r.IntN(len(ids) - 1)
			tok := string(enc.vocab.bytes(ids[i])) + string(enc.vocab.bytes(ids[i+1]))
			if _, ok := ranks[tok]; !ok {
				ranks[tok] = len(ranks)
				if enc, err = New("grow", ranks, split.None, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, c := range alphabet {
			e := enc.vocab.chars.entry(c)
			if e == nil {
				continue
			}
			for _, before := range alphabet { // the last byte of each character
				if b := string(before); e.okAfter(b[len(b)-1]) {
					allowed++
				} else {
					forbidden++
				}
			}
			for k := range 2 {
				if e.okBefore(k) {
					allowed++
				} else {
					forbidden++
				}
			}
		}
		m, bytesOnly := enc.newMerger(), enc.newMerger()
		bytesOnly.noChars = true
		for range 200 {
			checkCharStart(t, fmt.Sprint("vocab ", seed), enc, m, bytesOnly, randomUTF8(r, alphabet, 1+r.IntN(40)))
		}
	}
	if allowed == 0 || forbidden == 0 {
		t.Errorf("over all vocabularies %d neighbour kinds allowed, %d forbidden: want both, or the test proves little", allowed, forbidden)
	}
}

// TestPieceCache: a piece cache far too small for the text (so that slots
// are overwritten all the time, and pieces whose hashes share a slot meet)
// gives exactly the IDs of merging with no caches from bytes, on every
// script, on random bytes and on text made of a few words in many
// spellings; and it is used (slots fill, and repeated pieces are found).
func TestPieceCache(t *testing.T) {
	var sb strings.Builder
	for _, s := range samples.All() {
		sb.WriteString(s.Text)
	}
	r := rand.New(rand.NewPCG(17, 18))
	junk := make([]byte, 20_000)
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	sb.Write(junk)
	words := []string{" права", " права,", "права", " человек", " 中国", "中国人", " the", " The", "e\u0301", " 😀😀"}
	for range 5000 {
		sb.WriteString(words[r.IntN(len(words))])
	}
	text := sb.String()
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		plain := enc.newMerger()
		plain.noCache, plain.noChars, plain.noPieceCache = true, true, true
		want := plain.appendOrdinary(nil, text)
		tiny := enc.newMerger()
		tiny.pieces = newPieceCache(0)
		if len(tiny.pieces.slots) != minPieceCache {
			t.Fatalf("newPieceCache(0) has %d slots, want %d", len(tiny.pieces.slots), minPieceCache)
		}
		diffIDs(t, enc, name+" tiny piece cache", tiny.appendOrdinary(nil, text), want)
		used := 0
		for _, s := range tiny.pieces.slots {
			if len(s.piece) > 0 {
				used++
			}
		}
		if used == 0 {
			t.Errorf("%s: no slot of the piece cache was filled", name)
		}
		// A repeated piece that is not a token comes from the cache (if
		// its tokens fit a slot).
		p := []byte(" человеческой")
		m := enc.newMerger()
		if first := m.mergeFast(p, nil); len(first) > 1 && len(first) <= pieceIDs {
			s := m.pieces.slot(hashKey(load8(p), p))
			if string(s.piece) != string(p) {
				t.Errorf("%s: %q was merged but not remembered", name, p)
			}
			s.ids[0]++ // a wrong answer in the slot must show up
			if again := m.mergeFast(p, nil); slices.Equal(again, first) {
				t.Errorf("%s: the second merge of %q did not read the cache", name, p)
			}
		}
		m.release()
		diffIDs(t, enc, name+" EncodeOrdinary", enc.EncodeOrdinary(text), want)
	}
}

// TestSpacedStartRule is TestCharTableRule for a space and a character
// starting whole as one token: "п" is D0 BF (rank 256), " п" is " "+"п"
// (rank 258), and "пx" (rank 257) comes between, so " пx" merges to
// [" ", "пx"], not [" п", "x"]. Before another character no token takes
// "п" in, and the pair may start whole. Breaking the rule changes the
// tokens.
func TestSpacedStartRule(t *testing.T) {
	ranks := byteRanks()
	ranks["п"] = 256
	ranks["пx"] = 257
	ranks[" п"] = 258
	ranks["и"] = 259
	enc, err := New("spaced", ranks, split.None, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := enc.vocab.chars.entry('п')
	if e == nil || e.spaced != 258 {
		t.Fatalf("entry of п = %+v, want the spaced token 258", e)
	}
	if e.spacedOkBefore(0) {
		t.Errorf("\" п\" may start whole before ASCII, but \"пx\" (257) joins before \" п\" (258) is made")
	}
	if !e.spacedOkBefore(1) {
		t.Errorf("\" п\" may not start whole before another character, which no token involves")
	}
	m, bytesOnly := enc.newMerger(), enc.newMerger()
	bytesOnly.noChars = true
	for _, s := range []string{" пx", " пи", " пиx", " пxи", "пx", " п п"} {
		checkCharStart(t, "spaced", enc, m, bytesOnly, []byte(s))
	}
	if n := m.startParts([]byte(" пи")); n != 2 {
		t.Errorf("startParts(\" пи\") = %d parts, want 2: the pair and и", n)
	}
	e.spacedBefore |= 1 // allow ASCII after it anyway: the tokens change
	want := mergeReference(enc.vocab, []byte(" пx"))
	if got := enc.newMerger().mergeFast([]byte(" пx"), nil); slices.Equal(got, want) {
		t.Errorf("with the rule broken, \" пx\" still merges to %v: this vocabulary does not show the rule is needed", got)
	}
}
