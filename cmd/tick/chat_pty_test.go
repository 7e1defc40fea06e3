//go:build !windows

package main

import (
	"reflect"
	"testing"
)

// tick chat --step on a terminal: the message is typed as a person types
// it, the first reply token waits for a key (raw mode), a runs the reply
// to the end, the reply is the greedy one a pipe gets, and Ctrl-D at the
// next prompt ends the chat with the terminal as it was.
func TestChatPty(t *testing.T) {
	run := tinyChatRun(t)
	dir := t.TempDir()
	args := []string{"chat", "--model", run, "--temperature", "0", "--max-tokens", "8"}
	plain := tick(t, dir, "reverse cat\n", args...)
	mustSucceed(t, plain)
	want := replies(plain.stdout)
	if len(want) != 1 {
		t.Fatalf("the pipe run gave %d replies:\n%s", len(want), plain)
	}
	r := startPty(t, dir, append(args, "--step")...)
	before := r.before
	at := r.waitFor("you> ", 0)
	r.press("reverse cat\r")
	at = r.waitFor("── step 1 ", at)
	at = r.waitFor("context (14 tokens): <|user|>reverse·cat<|end|><|assistant|>", at) // a trace shows a space as ·
	at = r.waitFor("q: quit > ", at)
	if reflect.DeepEqual(r.mode(), before) {
		t.Errorf("the terminal is in its old mode while tick waits for a key: raw mode is off")
	}
	r.press("a")
	at = r.waitFor("assistant> "+want[0]+"\n", at)
	r.waitFor("you> ", at)
	if after := r.mode(); !reflect.DeepEqual(after, before) {
		t.Errorf("between replies the terminal is not in the mode tick found it in")
	}
	r.press("\x04") // Ctrl-D: the end of the input
	if code := r.exit(); code != 0 {
		t.Errorf("Ctrl-D exited %d, want 0:\n%s", code, r.text())
	}
	r.checkCRLF()
	if crashSigns.MatchString(r.text()) {
		t.Errorf("the screen shows a crash:\n%s", r.text())
	}
}
