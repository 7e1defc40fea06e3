package multimodal

// Scores counts what the model got right on a set of examples.
type Scores struct {
	// Examples and Right count the examples and the answers right word
	// for word, per Kind.
	Examples, Right [numKinds]int
	// Objects is the number of objects in the captioned images; Shape,
	// Colour, Size and Position count those whose caption names that
	// attribute rightly (the i-th object named against the i-th object of
	// the scene). Count counts captions naming as many objects as there are.
	Objects, Shape, Colour, Size, Position, Count int
	// Answers are the model's answers, in the order of the examples.
	Answers []string
}

// Evaluate answers every example greedily, in batches of batch, and
// scores the answers.
func Evaluate(m *Model, exs []Example, batch int) (Scores, error) {
	var s Scores
	for lo := 0; lo < len(exs); lo += batch {
		got, err := m.Answer(exs[lo:min(lo+batch, len(exs))])
		if err != nil {
			return s, err
		}
		s.Answers = append(s.Answers, got...)
	}
	for i, ex := range exs {
		s.add(ex, s.Answers[i])
	}
	return s, nil
}

// add scores one answer.
func (s *Scores) add(ex Example, got string) {
	s.Examples[ex.Kind]++
	if got == ex.Answer {
		s.Right[ex.Kind]++
	}
	if ex.Kind != KindCaption {
		return
	}
	s.Objects += len(ex.Scene.Objects)
	named, err := ParseCaption(got)
	if err != nil {
		named = nil // a caption out of the grammar names nothing rightly
	}
	if len(named) == len(ex.Scene.Objects) {
		s.Count++
	}
	for i, o := range ex.Scene.Objects {
		if i >= len(named) {
			break
		}
		n := named[i]
		s.Shape += b2i(n.Shape == o.Shape)
		s.Colour += b2i(n.Colour == o.Colour)
		s.Size += b2i(n.Size == o.Size)
		s.Position += b2i(n.Row == o.Row && n.Col == o.Col)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Accuracy is the fraction of examples of kind k answered right (0 when
// there are none).
func (s Scores) Accuracy(k Kind) float64 { return frac(s.Right[k], s.Examples[k]) }

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
