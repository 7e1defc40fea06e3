package multimodal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The text side: a vocabulary of whole words (the lesson is the image
// side, so no BPE here), captions that say the truth about a scene, and
// questions about it with their true answers.

// End ends every answer; it also pads a batch's shorter sequences.
const End = "<end>"

// Describe is the prompt that asks for a caption.
const Describe = "describe"

// Vocab lists every word a prompt or an answer uses; a word's token ID is
// its index.
var Vocab = func() []string {
	v := []string{End, Describe, "a", "and", "at", "the", "what", "colour", "shape", "is", "where", "?"}
	for _, words := range [][]string{SizeNames, Colours, Shapes, Rows, Columns} {
		v = append(v, words...)
	}
	return v
}()

var wordID = func() map[string]int {
	ids := map[string]int{}
	for i, w := range Vocab {
		if _, dup := ids[w]; dup {
			panic("multimodal: word " + w + " twice in the vocabulary")
		}
		ids[w] = i
	}
	return ids
}()

// Tokens turns words separated by spaces into token IDs, or says which
// word is not in the vocabulary.
func Tokens(text string) ([]int, error) {
	var ids []int
	for _, w := range strings.Fields(text) {
		id, ok := wordID[w]
		if !ok {
			return nil, fmt.Errorf("word %q is not in the vocabulary of %d words", w, len(Vocab))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Words turns token IDs back into text, words separated by spaces.
func Words(ids []int) string {
	ws := make([]string, len(ids))
	for i, id := range ids {
		if id >= 0 && id < len(Vocab) {
			ws[i] = Vocab[id]
		} else {
			ws[i] = fmt.Sprintf("<%d?>", id)
		}
	}
	return strings.Join(ws, " ")
}

// Caption is the true description of a scene, its objects in reading
// order: "a small red circle at the top left and a large blue cross at the
// bottom right".
func Caption(s Scene) string {
	parts := make([]string, len(s.Objects))
	for i, o := range s.Objects {
		parts[i] = fmt.Sprintf("a %s %s %s at the %s %s", SizeNames[o.Size], Colours[o.Colour], Shapes[o.Shape], Rows[o.Row], Columns[o.Col])
	}
	return strings.Join(parts, " and ")
}

// ParseCaption reads a caption back into the objects it names (their
// offsets left 0): the words must follow Caption's grammar exactly.
func ParseCaption(text string) ([]Object, error) {
	var objs []Object
	for i, part := range strings.Split(text, " and ") {
		w := strings.Fields(part)
		if len(w) != 8 || w[0] != "a" || w[4] != "at" || w[5] != "the" {
			return nil, fmt.Errorf("object %d: %q is not \"a SIZE COLOUR SHAPE at the ROW COLUMN\"", i+1, part)
		}
		var o Object
		idx := []struct {
			dst   *int
			word  string
			names []string
		}{{&o.Size, w[1], SizeNames}, {&o.Colour, w[2], Colours}, {&o.Shape, w[3], Shapes}, {&o.Row, w[6], Rows}, {&o.Col, w[7], Columns}}
		for _, f := range idx {
			if *f.dst = slices.Index(f.names, f.word); *f.dst < 0 {
				return nil, fmt.Errorf("object %d: %q is not one of %v", i+1, f.word, f.names)
			}
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// Kind is a kind of example: a caption or one of the questions.
type Kind int

// The kinds of example.
const (
	KindCaption Kind = iota // "describe" -> the caption
	KindColour              // "what colour is the square ?" -> "red"
	KindShape               // "what shape is at the top left ?" -> "circle"
	KindWhere               // "where is the red circle ?" -> "top left"
	numKinds
)

// KindNames names the kinds in tables.
var KindNames = []string{"caption", "colour question", "shape question", "where question"}

// Example is one image with a prompt and its true answer, as words.
type Example struct {
	Scene  Scene
	Image  *Image
	Kind   Kind
	Prompt string // "describe" or a question
	Answer string // the caption or the answer, without End
}

// Question asks a question of kind k about the scene, choosing the object
// asked about with rng, and returns it with its true answer. ok is false
// when the scene has no object the question would pick out alone (a
// colour question about a square when there are two squares).
func Question(s Scene, k Kind, rng *rand.Rand) (prompt, answer string, ok bool) {
	var unique []Object // objects the question can name without ambiguity
	for _, o := range s.Objects {
		same := 0
		for _, p := range s.Objects {
			if (k == KindColour && p.Shape == o.Shape) || (k == KindWhere && p.Shape == o.Shape && p.Colour == o.Colour) || k == KindShape {
				same++
			}
		}
		if k == KindShape || same == 1 {
			unique = append(unique, o)
		}
	}
	if len(unique) == 0 {
		return "", "", false
	}
	o := unique[rng.IntN(len(unique))]
	switch k {
	case KindColour:
		return "what colour is the " + Shapes[o.Shape] + " ?", Colours[o.Colour], true
	case KindShape:
		return "what shape is at the " + Rows[o.Row] + " " + Columns[o.Col] + " ?", Shapes[o.Shape], true
	case KindWhere:
		return "where is the " + Colours[o.Colour] + " " + Shapes[o.Shape] + " ?", Rows[o.Row] + " " + Columns[o.Col], true
	}
	return Describe, Caption(s), true
}

// Task says which examples a model learns: scenes of up to MaxObjects
// objects, and with Questions the three kinds of question beside captions
// (half the examples captions, the other half questions).
type Task struct {
	MaxObjects int
	Questions  bool
}

// Validate reports a task the generator cannot make.
func (t Task) Validate() error {
	if t.MaxObjects < 1 || t.MaxObjects > 2 {
		return fmt.Errorf("task: %d objects per image; use 1 or 2", t.MaxObjects)
	}
	return nil
}

// Example draws the example of a scene: a caption, or with Questions
// (half the time) a question of a kind the scene can answer.
func (t Task) Example(s Scene, rng *rand.Rand) Example {
	ex := Example{Scene: s, Image: Render(s), Kind: KindCaption, Prompt: Describe, Answer: Caption(s)}
	if t.Questions && rng.IntN(2) == 1 {
		k := Kind(1 + rng.IntN(int(numKinds)-1))
		if p, a, ok := Question(s, k, rng); ok {
			ex.Kind, ex.Prompt, ex.Answer = k, p, a
		}
	}
	return ex
}

// Examples are every kind of example of one scene that the task has: its
// caption and, with Questions, one question of each kind the scene can
// answer (the object asked about drawn with rng).
func (t Task) Examples(s Scene, rng *rand.Rand) []Example {
	img := Render(s)
	exs := []Example{{Scene: s, Image: img, Kind: KindCaption, Prompt: Describe, Answer: Caption(s)}}
	if t.Questions {
		for k := KindColour; k < numKinds; k++ {
			if p, a, ok := Question(s, k, rng); ok {
				exs = append(exs, Example{Scene: s, Image: img, Kind: k, Prompt: p, Answer: a})
			}
		}
	}
	return exs
}

// MaxTokens is the most text tokens an example of the task has: prompt,
// answer and End. The longest is a caption of MaxObjects objects or, with
// Questions, the "where" question.
func (t Task) MaxTokens() int {
	caption := 1 + 8*t.MaxObjects + (t.MaxObjects - 1) + 1 // describe, 8 words an object, "and"s, End
	if t.Questions {
		caption = max(caption, 6+2+1) // "where is the red circle ?", "top left", End
	}
	return caption
}
