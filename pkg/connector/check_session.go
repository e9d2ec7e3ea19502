package connector

import "fmt"

// checkedSession is what the capture and materialize checkers share: a unary request (spec,
// discover, validate, apply) or an open awaits exactly its answer, and after opened the task's
// bindings bound the binding indexes the connector may name.
type checkedSession struct {
	name     string
	pending  string // the unary request awaiting its answer, or "open"
	opened   bool
	bindings int
	err      error // a violation ends the stream
}

// request records a sent unary request or open.
func (s *checkedSession) request(kind string) { s.pending, s.opened = kind, false }

// answer checks a response of kind while a request awaits its answer: pending is false when none
// does, and want is the answer expected when kind is not it.
func (s *checkedSession) answer(kind string, answers map[string]string) (pending bool, want string) {
	if s.pending == "" {
		return false, ""
	}
	if want := answers[s.pending]; kind != want {
		return true, want
	}
	s.opened = s.pending == "open"
	s.pending = ""
	return true, ""
}

// unknownBinding describes a binding index the opened task does not have, or is "".
func (s *checkedSession) unknownBinding(binding uint32) string {
	if int(binding) < s.bindings {
		return ""
	}
	return fmt.Sprintf("binding %d does not exist (the task has %d)", binding, s.bindings)
}

// recvChecked receives the next message and checks it; a violation is kept in s.err and ends the
// stream.
func recvChecked[M any](s *checkedSession, recv func() (*M, error), check func(*M) error) (*M, error) {
	if s.err != nil {
		return nil, s.err
	}
	m, err := recv()
	if err != nil {
		return nil, err
	}
	if s.err = check(m); s.err != nil {
		return nil, s.err
	}
	return m, nil
}
