package bpe

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tick-llm/tick/tokenizer/split"
)

// Speed is measured here, never asserted in a test. Compare the two 1 MB
// benchmarks for the speedup of Train over TrainReference:
//
//	go test -run '^$' -bench 'Train' -benchtime 1x ./tokenizer/bpe

// BenchmarkTrain10MB learns 4,096 tokens from 10 MB of Go sources.
func BenchmarkTrain10MB(b *testing.B) { benchTrain(b, 10<<20, 4096, split.CL100K) }

// BenchmarkTrain1MB and BenchmarkTrainReference1MB learn 1,024 tokens from
// the same 1 MB of Go sources; the reference one also checks that both
// trainers learn the same merges.
func BenchmarkTrain1MB(b *testing.B) { benchTrain(b, 1<<20, 1024, split.CL100K) }

func BenchmarkTrainReference1MB(b *testing.B) {
	text := goSources(b, "", 1<<20)
	opts := Options{VocabSize: 1024, Pattern: split.CL100K}
	// Time the fast trainer on the same input first (best of 3), so the
	// run reports the speedup side by side.
	var fast *Vocab
	fastTime := time.Duration(math.MaxInt64)
	for range 3 {
		start := time.Now()
		v, err := Train(text, opts)
		if err != nil {
			b.Fatal(err)
		}
		fast, fastTime = v, min(fastTime, time.Since(start))
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		ref, err := TrainReference(text, opts)
		if err != nil {
			b.Fatal(err)
		}
		if !reflect.DeepEqual(ref.Merges, fast.Merges) {
			b.Fatal("TrainReference and Train learned different merges")
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(fastTime.Microseconds())/1e3, "fast_ms")
	b.ReportMetric(float64(perOp)/float64(fastTime), "x_speedup")
}

// BenchmarkTrainNone1MB learns 1,024 tokens from 1 MB of Go sources kept
// as one piece (pattern none): each merge must still cost only where the
// pair occurs, not a pass over the whole megabyte.
func BenchmarkTrainNone1MB(b *testing.B) { benchTrain(b, 1<<20, 1024, split.None) }

// benchTrain times Train learning vocab tokens from size bytes of Go sources
// cut by pattern.
func benchTrain(b *testing.B, size, vocab int, pattern split.Pattern) {
	text := goSources(b, "", size)
	opts := Options{VocabSize: vocab, Pattern: pattern}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := Train(text, opts); err != nil {
			b.Fatal(err)
		}
	}
}
