package connector

import (
	"fmt"
	"strings"
)

// ProtocolError is a message that breaks the protocol: the connector that sent it, what it sent
// and what the protocol expected at that point.
type ProtocolError struct {
	Connector string   // "task acmeCo/x (image ghcr.io/...)"
	Received  string   // the message kind, or a description of the bad message
	Expected  []string // kinds that were acceptable
	Detail    string   // optional: why the message is wrong
}

func (e *ProtocolError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connector of %s broke the protocol: received %s", e.Connector, describeKind(e.Received))
	if len(e.Expected) > 0 {
		fmt.Fprintf(&b, " but expected %s", strings.Join(quoteAll(e.Expected), " or "))
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func describeKind(kind string) string {
	if kind == "" {
		return "an empty message"
	}
	return fmt.Sprintf("%q", kind)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
