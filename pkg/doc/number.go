package doc

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// appendNumber writes a number as serde_json would after parsing it.
func appendNumber(buf []byte, n json.Number) []byte {
	if isCanonicalInteger(string(n)) {
		return append(buf, n...)
	}
	p := node.ParseNumber(string(n))
	if p.Kind() == node.Float && (math.IsInf(p.Float(), 0) || math.IsNaN(p.Float())) {
		return append(buf, n...) // Not representable as f64: keep the literal rather than lose it.
	}
	return node.AppendNumber(buf, p)
}

// isCanonicalInteger is the fast path for the common case: a short integer literal without
// leading zeros is already canonical.
func isCanonicalInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
