package train

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMetricsTrimAndPlot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.jsonl")
	l, err := openMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 6; s++ {
		l.add(Metric{Kind: "step", Step: s, Loss: 5 - float64(s)/2, LR: 1e-3})
		if s%2 == 0 {
			l.add(Metric{Kind: "eval", Step: s, TrainLoss: 4.5 - float64(s)/2, ValLoss: 4.8 - float64(s)/2})
		}
	}
	l.close()
	kept, err := trimMetrics(path, 4)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 6 || len(back) != 6 || back[5].Kind != "eval" || back[5].Step != 4 {
		t.Errorf("after trimming to step 4: %d kept, file has %d: %+v", len(kept), len(back), back)
	}
	png := filepath.Join(dir, "loss.png")
	if err := writeLossPlot(png, back); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(png)
	if err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Errorf("loss.png: %d bytes, %v", len(b), err)
	}
}
