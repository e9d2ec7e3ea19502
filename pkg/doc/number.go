package doc

import (
	"cmp"
	"encoding/json"
	"math"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// numKind is how Flow (serde_json) classifies a JSON number: an integer literal that fits u64 or
// i64 stays an integer, anything with a fraction or exponent, or out of integer range, is a float.
type numKind uint8

const (
	kindUint numKind = iota
	kindInt
	kindFloat
)

// number is a json.Number parsed by node.ParseNumber, the one number code, into fields that the
// reductions over json.Number read directly.
type number struct {
	kind numKind
	u    uint64
	i    int64
	f    float64
}

func parseNumber(s json.Number) number {
	n := node.ParseNumber(string(s))
	switch n.Kind() {
	case node.PosInt:
		return number{kind: kindUint, u: n.Uint()}
	case node.NegInt:
		return number{kind: kindInt, i: n.Int()}
	}
	return number{kind: kindFloat, f: n.Float()}
}

func (n number) node() node.Node {
	switch n.kind {
	case kindUint:
		return node.UintNode(n.u)
	case kindInt:
		return node.IntNode(n.i)
	}
	return node.FloatNode(n.f)
}

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

// formatFloat formats f64 the way serde_json (ryu) does (node.AppendFloat).
func formatFloat(f float64) string {
	return string(node.AppendFloat(nil, f))
}

// compareNumbers orders numbers by value across integer and float representations (20 == 20.0).
func compareNumbers(a, b number) int {
	return node.CompareNumbers(a.node(), b.node())
}

func cmpOrdered[T int64 | uint64 | int](a, b T) int {
	return cmp.Compare(a, b)
}
