package generate

import (
	"strings"
	"unicode"
)

// camelCase is Flow's conversion of a transform name to a method or type name: characters that
// are not letters or digits are dropped and upper-case the next one (`from-orders` → fromOrders,
// or FromOrders with upper set).
func camelCase(name string, upper bool) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsNumber(r):
			upper = true
		case upper:
			b.WriteString(strings.ToUpper(string(r)))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sourceTypeName is the TypeScript type of the documents a transform reads.
func sourceTypeName(transform string) string { return "Source" + camelCase(transform, true) }
