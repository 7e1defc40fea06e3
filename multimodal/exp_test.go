package multimodal

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestExperiment(t *testing.T) {
	if os.Getenv("MMEXP") == "" {
		t.Skip()
	}
	env := func(k string, d int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
			return v
		}
		return d
	}
	task := Task{MaxObjects: env("OBJ", 1), Questions: env("Q", 0) == 1}
	m, err := New(task, Sizes{Layers: env("L", 2), Heads: 4, Dim: env("D", 64)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	scenes, keys, err := HeldOut(task, 300, 1)
	if err != nil {
		t.Fatal(err)
	}
	steps := env("STEPS", 1000)
	tr, err := NewTrainer(m, keys, env("B", 32), steps, float64(env("LR", 3))*1e-3, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	var exs []Example
	for _, s := range scenes {
		exs = append(exs, task.Examples(s, rng)...)
	}
	start := time.Now()
	for n := 1; n <= steps; n++ {
		loss, _, err := tr.Step(n)
		if err != nil {
			t.Fatal(err)
		}
		if n%env("EVERY", 250) == 0 || n == steps {
			sc, err := Evaluate(m, exs, 200)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("step %d loss %.4f %.0fs caption %.3f colourQ %.3f shapeQ %.3f whereQ %.3f | shape %.3f colour %.3f size %.3f pos %.3f\n", n, loss, time.Since(start).Seconds(),
				sc.Accuracy(KindCaption), sc.Accuracy(KindColour), sc.Accuracy(KindShape), sc.Accuracy(KindWhere),
				frac(sc.Shape, sc.Objects), frac(sc.Colour, sc.Objects), frac(sc.Size, sc.Objects), frac(sc.Position, sc.Objects))
		}
	}
}
