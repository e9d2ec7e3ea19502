package connector

import "fmt"

// captureChecker passes a capture stream through, failing on responses the protocol does not
// allow at that point.
type captureChecker struct {
	inner CaptureStream
	checkedSession
}

var captureAnswers = map[string]string{
	"spec": "spec", "discover": "discovered", "validate": "validated", "apply": "applied", "open": "opened",
}

func (c *captureChecker) Send(m *CaptureRequest) error {
	if c.err != nil {
		return c.err
	}
	switch kind := m.Kind(); kind {
	case "spec", "discover", "validate", "apply", "open":
		c.request(kind)
		if m.Open != nil && m.Open.Capture != nil {
			c.bindings = len(m.Open.Capture.Bindings)
		}
	case "acknowledge":
		if !c.opened {
			return fmt.Errorf("%s: acknowledge sent before the connector opened", c.name)
		}
	default:
		return fmt.Errorf("%s: cannot send a capture request with fields %q: exactly one must be set", c.name, kind)
	}
	return c.inner.Send(m)
}

func (c *captureChecker) Recv() (*CaptureResponse, error) {
	return recvChecked(&c.checkedSession, c.inner.Recv, c.check)
}

func (c *captureChecker) check(m *CaptureResponse) error {
	kind := m.Kind()
	violation := func(detail string, expected ...string) error {
		return &ProtocolError{Connector: c.name, Received: kind, Expected: expected, Detail: detail}
	}
	if pending, want := c.answer(kind, captureAnswers); pending {
		if want != "" {
			return violation("", want)
		}
		return nil
	}
	if !c.opened {
		return violation("no request is awaiting an answer")
	}
	switch kind {
	case "captured":
		if detail := c.unknownBinding(m.Captured.Binding); detail != "" {
			return violation(detail)
		}
		if len(m.Captured.Doc) == 0 {
			return violation("the captured message has no document")
		}
	case "sourcedSchema":
		if detail := c.unknownBinding(m.SourcedSchema.Binding); detail != "" {
			return violation(detail)
		}
	case "checkpoint":
		if m.Checkpoint.State == nil {
			return violation("a checkpoint must carry a state (use {\"updated\":{},\"mergePatch\":true} for no change)")
		}
	default:
		return violation("", "captured", "sourcedSchema", "checkpoint")
	}
	return nil
}

func (c *captureChecker) CloseSend() error { return c.inner.CloseSend() }
func (c *captureChecker) Close() error     { return c.inner.Close() }
