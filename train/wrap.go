package train

import "strings"

// lineWidth is the terminal width tick's messages fit in.
const lineWidth = 80

// wrap breaks s into lines of at most width characters (runes), at a space
// where it can (the space is dropped) and inside a word only when the word
// alone is too long, and starts every line after the first with indent. A
// newline in s also starts a new, indented line. tick uses it so what it
// prints reads in an 80-column terminal.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	room := width - len([]rune(indent))
	for i, para := range strings.Split(s, "\n") {
		line := []rune(para)
		avail := width
		if i > 0 {
			b.WriteString("\n" + indent)
			avail = room
		}
		for len(line) > avail && avail > 0 {
			cut, skip := avail, 0
			for j := avail; j > 0; j-- {
				if line[j] == ' ' {
					cut, skip = j, 1
					break
				}
			}
			b.WriteString(string(line[:cut]))
			b.WriteString("\n" + indent)
			line = line[cut+skip:]
			avail = room
		}
		b.WriteString(string(line))
	}
	return b.String()
}
