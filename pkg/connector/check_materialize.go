package connector

import "fmt"

// materializeChecker passes a materialize stream through, enforcing the transaction order of
// flow-runtime's materialize protocol on both sides: acknowledge/acknowledged, load*/flush ->
// loaded*/flushed, store*/startCommit -> startedCommit.
type materializeChecker struct {
	inner MaterializeStream
	checkedSession

	acksPending   int  // acknowledge requests not yet acknowledged
	flushPending  bool // flush sent, flushed not received
	loading       bool // loads may be answered: after opened or startedCommit, until flushed
	commitPending bool // startCommit sent, startedCommit not received
}

var materializeAnswers = map[string]string{
	"spec": "spec", "validate": "validated", "apply": "applied", "open": "opened",
}

func (c *materializeChecker) Send(m *MaterializeRequest) error {
	if c.err != nil {
		return c.err
	}
	kind := m.Kind()
	switch kind {
	case "spec", "validate", "apply", "open":
		c.request(kind)
		if m.Open != nil && m.Open.Materialization != nil {
			c.bindings = len(m.Open.Materialization.Bindings)
		}
		return c.inner.Send(m)
	case "load", "flush", "store", "startCommit", "acknowledge":
	default:
		return fmt.Errorf("%s: cannot send a materialize request with fields %q: exactly one must be set", c.name, kind)
	}
	if !c.opened {
		return fmt.Errorf("%s: %s sent before the connector opened", c.name, kind)
	}
	switch kind {
	case "acknowledge":
		c.acksPending++
	case "flush":
		if c.acksPending > 0 {
			return fmt.Errorf("%s: flush sent before the connector acknowledged the previous commit", c.name)
		}
		c.flushPending = true
	case "startCommit":
		c.commitPending = true
	}
	return c.inner.Send(m)
}

func (c *materializeChecker) Recv() (*MaterializeResponse, error) {
	return recvChecked(&c.checkedSession, c.inner.Recv, c.check)
}

func (c *materializeChecker) check(m *MaterializeResponse) error {
	kind := m.Kind()
	violation := func(detail string, expected ...string) error {
		if len(expected) == 0 {
			expected = c.expected()
		}
		return &ProtocolError{Connector: c.name, Received: kind, Expected: expected, Detail: detail}
	}
	if pending, want := c.answer(kind, materializeAnswers); pending {
		if want != "" {
			return violation("", want)
		}
		c.loading = c.opened
		return nil
	}
	if !c.opened {
		return violation("no request is awaiting an answer")
	}
	switch kind {
	case "acknowledged":
		if c.acksPending == 0 {
			return violation("no acknowledge is outstanding")
		}
		c.acksPending--
	case "loaded":
		if !c.loading {
			return violation("loaded documents must come before flushed")
		}
		if detail := c.unknownBinding(m.Loaded.Binding); detail != "" {
			return violation(detail)
		}
	case "flushed":
		if !c.flushPending {
			return violation("no flush is outstanding")
		}
		if c.acksPending > 0 {
			return violation("flushed came before acknowledged")
		}
		c.flushPending, c.loading = false, false
	case "startedCommit":
		if !c.commitPending {
			return violation("no startCommit is outstanding")
		}
		c.commitPending, c.loading = false, true
	default:
		return violation("")
	}
	return nil
}

// expected lists the responses the connector may send now.
func (c *materializeChecker) expected() []string {
	var out []string
	if c.acksPending > 0 {
		out = append(out, "acknowledged")
	}
	if c.loading {
		out = append(out, "loaded")
	}
	if c.flushPending {
		out = append(out, "flushed")
	}
	if c.commitPending {
		out = append(out, "startedCommit")
	}
	return out
}

func (c *materializeChecker) CloseSend() error { return c.inner.CloseSend() }
func (c *materializeChecker) Close() error     { return c.inner.Close() }
