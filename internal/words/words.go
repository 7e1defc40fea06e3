// Package words writes the small bits of English tick's messages share.
package words

import "strconv"

// Count writes a count with its noun, singular for one: "1 token",
// "2 tokens". The plural adds an s, which is right for every noun tick
// counts.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
