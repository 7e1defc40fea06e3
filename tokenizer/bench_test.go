package tokenizer

import (
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
)

// The speed benchmarks run tick and tiktoken-go side by side on the same
// text; compare the MB/s columns (or run 'tick bench tokenizer', which
// prints the ratio).

func benchCorpora(b *testing.B) map[string]string {
	return map[string]string{
		"opticks":    opticks(b, 0),
		"go-sources": goSources(b, 2<<20),
	}
}

func BenchmarkEncode(b *testing.B) {
	corpora := benchCorpora(b)
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := mustGet(b, name)
		ref := refEncoding(b, name)
		for _, corpus := range []string{"opticks", "go-sources"} {
			text := corpora[corpus]
			b.Run(name+"/"+corpus+"/tick", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					enc.EncodeOrdinary(text)
				}
			})
			b.Run(name+"/"+corpus+"/tiktoken-go", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					ref.EncodeOrdinary(text)
				}
			})
		}
	}
}

// BenchmarkEncodeScripts runs tick and tiktoken-go side by side on one
// sample text per writing system (package samples).
func BenchmarkEncodeScripts(b *testing.B) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := mustGet(b, name)
		ref := refEncoding(b, name)
		for _, s := range samples.All() {
			b.Run(name+"/"+s.Name+"/tick", func(b *testing.B) {
				b.SetBytes(int64(len(s.Text)))
				for b.Loop() {
					enc.EncodeOrdinary(s.Text)
				}
			})
			b.Run(name+"/"+s.Name+"/tiktoken-go", func(b *testing.B) {
				b.SetBytes(int64(len(s.Text)))
				for b.Loop() {
					ref.EncodeOrdinary(s.Text)
				}
			})
		}
	}
}

// BenchmarkCount: counting without building the slice.
func BenchmarkCount(b *testing.B) {
	text := opticks(b, 0)
	enc := mustGet(b, "cl100k_base")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		enc.Count(text, SpecialRaise)
	}
}

// BenchmarkEncodeBatch encodes Go sources file by file on all cores; compare
// with BenchmarkEncode's single-thread MB/s.
func BenchmarkEncodeBatch(b *testing.B) {
	text := goSources(b, 2<<20)
	// Cut into 64 KB documents at line boundaries.
	var docs []string
	for len(text) > 0 {
		n := min(len(text), 64<<10)
		if i := strings.LastIndexByte(text[:n], '\n'); i > 0 && n < len(text) {
			n = i + 1
		}
		docs = append(docs, text[:n])
		text = text[n:]
	}
	total := 0
	for _, d := range docs {
		total += len(d)
	}
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := mustGet(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(total))
			for b.Loop() {
				if _, err := enc.EncodeBatch(docs, SpecialOrdinary); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
