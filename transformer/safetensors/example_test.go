package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/transformer/safetensors"
)

func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	weights := []safetensors.Tensor{
		{Name: "wte.weight", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}},
		{Name: "ln_f.bias", Shape: []int{3}, Data: []float64{0, 0.5, -1}},
	}
	if err := safetensors.Write(path, weights, map[string]string{"format": "pt"}); err != nil {
		log.Fatal(err)
	}

	tensors, metadata, err := safetensors.Read(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tensors { // sorted by name, the order Write lays them out
		fmt.Println(t.Name, t.Shape, t.Data)
	}
	fmt.Println(metadata)

	// A corrupt file is an error that says what is wrong.
	_, _, err = safetensors.Decode([]byte("not a model"))
	fmt.Println(err)
	// Output:
	// ln_f.bias [3] [0 0.5 -1]
	// wte.weight [2 3] [1 2 3 4 5 6]
	// map[format:pt]
	// safetensors: malformed safetensors: header length 8029109312199880558 is over the limit of 100000000 bytes (not a safetensors file?)
}
