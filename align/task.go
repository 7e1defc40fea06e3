package align

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Instruction is one generated task: a prompt and its one right answer.
type Instruction struct {
	Kind   string // reverse, caps, count, add, next
	Prompt string // what the user types, e.g. "reverse cat"
	Answer string // the right answer, e.g. "tac"
}

// taskWords are the words the word instructions use.
var taskWords = strings.Fields(`cat dog sun map pen cup box hat red sky owl fox
bee ant yak elk cow pig hen jar key fig gum ink oak
bird fish tree lamp moon star frog milk rain snow wind leaf
rock sand ship road book door wolf bear duck lion`)

// Instructions returns every instruction of the task, always in the same
// order: for each word, reverse it, spell it in capitals, count its
// letters; add every two digits; say the letter after each of a..y.
func Instructions() []Instruction {
	var all []Instruction
	for _, w := range taskWords {
		all = append(all, wordInstructions(w)...)
	}
	for a := range 10 {
		for b := range 10 {
			all = append(all, Instruction{"add", fmt.Sprintf("add %d %d", a, b), strconv.Itoa(a + b)})
		}
	}
	for c := byte('a'); c < 'z'; c++ {
		all = append(all, Instruction{"next", "next " + string(c), string(c + 1)})
	}
	return all
}

// wordInstructions are the three instructions on word w: reverse it,
// spell it in capitals, count its letters.
func wordInstructions(w string) []Instruction {
	r := []byte(w)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return []Instruction{
		{"reverse", "reverse " + w, string(r)},
		{"caps", "caps " + w, strings.ToUpper(w)},
		{"count", "count " + w, strconv.Itoa(len(w))},
	}
}

// SyntheticWords returns n made-up words of 3 to 5 lowercase letters,
// none of them a task word (taskWords) and no two alike, drawn with seed.
// SFT practises the word instructions on them too: with only the task's
// 41 words a small model memorises their answers, while thousands of
// letter strings make it learn to reverse, capitalise and count letters,
// which is what held-out prompts on unseen task words ask. Held-out
// prompts stay unseen: no synthetic word is a task word.
func SyntheticWords(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 0x5e7))
	seen := map[string]bool{}
	for _, w := range taskWords {
		seen[w] = true
	}
	out := make([]string, 0, n)
	for len(out) < n {
		b := make([]byte, 3+rng.IntN(3))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		if w := string(b); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// Synthetic is the word instructions on n SyntheticWords: training-only
// practice for SFT (Task.SFTSet).
func Synthetic(n int, seed uint64) []Instruction {
	var ins []Instruction
	for _, w := range SyntheticWords(n, seed) {
		ins = append(ins, wordInstructions(w)...)
	}
	return ins
}

// Split shuffles the instructions with seed and keeps heldOut of them
// apart: no stage ever trains on a held-out prompt, so the scores on them
// measure whether a model learned the task and the preference, not whether
// it memorised replies.
func Split(all []Instruction, heldOut int, seed uint64) (trainSet, testSet []Instruction, err error) {
	if heldOut <= 0 || heldOut >= len(all) {
		return nil, nil, fmt.Errorf("held-out prompts: %d; want between 1 and %d", heldOut, len(all)-1)
	}
	perm := rand.New(rand.NewPCG(seed, 0xa119)).Perm(len(all))
	for i, p := range perm {
		if i < heldOut {
			testSet = append(testSet, all[p])
		} else {
			trainSet = append(trainSet, all[p])
		}
	}
	return trainSet, testSet, nil
}

// Chatty is the opening a verbose reply puts before the answer.
const Chatty = "sure, "

// Judge scores a reply to an instruction, standing in for a human rater:
//
//	0    wrong: the reply's last word is not the answer
//	0.5  right but chatty: more words before the answer
//	1    right and concise: the reply is exactly the answer
//
// Right beats wrong; among right replies, concise is preferred.
func Judge(in Instruction, reply string) float64 {
	f := strings.Fields(reply)
	if len(f) == 0 || f[len(f)-1] != in.Answer {
		return 0
	}
	if reply == in.Answer {
		return 1
	}
	return 0.5
}

// Correct reports whether the reply's last word is the answer (task
// accuracy, whatever the style).
func Correct(in Instruction, reply string) bool { return Judge(in, reply) > 0 }

// Demonstration is a reply SFT trains on: the answer, after the chatty
// opening when chatty. SFT draws the style at random for every example (as
// a pool of demonstrations by many writers would mix them), so the SFT
// model writes both styles for any prompt; the preference stages must
// learn that the judge likes the concise one.
func Demonstration(in Instruction, chatty bool) string {
	if chatty {
		return Chatty + in.Answer
	}
	return in.Answer
}
