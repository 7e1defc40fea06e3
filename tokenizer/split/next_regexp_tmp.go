package split

import (
	"sync"

	"github.com/dlclark/regexp2"
)

// TEMPORARY: Next via regexp2 until the hand-written scanners land.
var (
	tmpOnce sync.Once
	tmpRe   map[Pattern]*regexp2.Regexp
)

// Next returns the length in bytes of the first piece of text (0 only for
// empty text).
func (p Pattern) Next(text []byte) int {
	if len(text) == 0 {
		return 0
	}
	if p == None {
		return len(text)
	}
	tmpOnce.Do(func() {
		tmpRe = map[Pattern]*regexp2.Regexp{}
		for _, q := range []Pattern{GPT2, CL100K, O200K} {
			tmpRe[q] = regexp2.MustCompile(q.Regexp(), regexp2.None)
		}
	})
	m, err := tmpRe[p].FindStringMatch(string(text))
	if err != nil || m == nil {
		return len(text)
	}
	// regexp2 reports rune offsets; convert to bytes.
	s := string(text)
	start := len(string([]rune(s)[:m.Index]))
	if start > 0 {
		return start
	}
	return len(string([]rune(s)[:m.Index+m.Length]))
}
