package capture

import (
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// StateKey is the key of a binding's entry under "bindingStateV1" in connector state: the binding's
// stateKey when the runtime provides one, else derived from its resource path and backfill counter as
// Flow derives it (path components joined by "/", bytes outside [A-Za-z0-9-_+.=] percent-encoded,
// ".v<backfill>" appended when backfill is non-zero).
func StateKey(b *connector.CaptureBinding) string {
	if b.StateKey != "" {
		return b.StateKey
	}
	var out strings.Builder
	for i, part := range b.ResourcePath {
		if i > 0 {
			out.WriteByte('/')
		}
		for _, c := range []byte(part) {
			if isStateKeySafe(c) {
				out.WriteByte(c)
			} else {
				fmt.Fprintf(&out, "%%%02X", c)
			}
		}
	}
	if b.Backfill != 0 {
		fmt.Fprintf(&out, ".v%d", b.Backfill)
	}
	return out.String()
}

func isStateKeySafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '+' || c == '.' || c == '='
}
