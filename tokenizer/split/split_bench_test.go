package split

import (
	"testing"
)

// BenchmarkSplit splits the same text with each scanner and with regexp2
// running the official pattern (as tiktoken-go does), so that MB/s of the
// two sit side by side:
//
//	go test -run '^$' -bench Split -benchtime 2s ./tokenizer/split
func BenchmarkSplit(b *testing.B) {
	for _, c := range realCorpora(b) {
		for _, p := range patterns {
			b.Run(c.name+"/"+p.String()+"/scanner", func(b *testing.B) {
				b.SetBytes(int64(len(c.text)))
				for b.Loop() {
					pieces := 0
					for text := c.text; len(text) > 0; pieces++ {
						text = text[p.Next(text):]
					}
					if pieces == 0 {
						b.Fatal("no pieces")
					}
				}
			})
			b.Run(c.name+"/"+p.String()+"/regexp2", func(b *testing.B) {
				re := reference(p)
				s := string(c.text)
				b.SetBytes(int64(len(c.text)))
				for b.Loop() {
					pieces := 0
					m, err := re.FindStringMatch(s)
					for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
						pieces++
					}
					if err != nil || pieces == 0 {
						b.Fatalf("regexp2: %d pieces, %v", pieces, err)
					}
				}
			})
		}
	}
}

// BenchmarkFillTables measures what importing the package costs at start-up.
func BenchmarkFillTables(b *testing.B) {
	for b.Loop() {
		fillTables()
	}
}
