package generate

import (
	"strings"
)

// tsKind is the kind of a TypeScript type expression.
type tsKind int

const (
	tsUnknown tsKind = iota
	tsNever
	tsBoolean
	tsNull
	tsNumber
	tsString
	tsUndefined
	tsLiteral // text holds the JSON of the value
	tsNamed   // text holds the type name
	tsComment // text holds the comment, of the commented type
	tsArray   // of holds the item type
	tsTuple   // items, minItems, of holds the type of items past the tuple (or nil)
	tsObject  // props
	tsUnion   // items
)

// tsNode is a TypeScript type expression, built from a shape and then rendered. Keeping a tree
// (rather than text) lets unions be flattened and deduplicated for index signatures.
type tsNode struct {
	kind     tsKind
	text     string
	of       *tsNode
	items    []*tsNode
	minItems int
	props    []tsProp
}

// tsProp is an object member: a property or the `[k: string]` index signature.
type tsProp struct {
	field    string // rendered: bare, JSON-quoted, or the index signature
	value    *tsNode
	required bool
}

var primitiveNames = map[tsKind]string{
	tsUnknown: "unknown", tsNever: "never", tsBoolean: "boolean", tsNull: "null",
	tsNumber: "number", tsString: "string", tsUndefined: "undefined",
}

// render writes the type expression; indent is the nesting depth of the enclosing object.
func (n *tsNode) render(b *strings.Builder, indent int) {
	switch n.kind {
	case tsLiteral, tsNamed:
		b.WriteString(n.text)
	case tsComment:
		b.WriteString("/* ")
		b.WriteString(n.text)
		b.WriteString(" */ ")
		n.of.render(b, indent)
	case tsArray:
		n.of.renderOperand(b, indent)
		b.WriteString("[]")
	case tsTuple:
		b.WriteByte('[')
		for i, item := range n.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if i >= n.minItems {
				item.renderOperand(b, indent)
				b.WriteByte('?')
			} else {
				item.render(b, indent)
			}
		}
		if n.of != nil {
			b.WriteString(", ...(")
			n.of.render(b, indent)
			b.WriteString(")[]")
		}
		b.WriteByte(']')
	case tsObject:
		n.renderObject(b, indent)
	case tsUnion:
		for i, v := range n.items {
			if i > 0 {
				b.WriteString(" | ")
			}
			v.render(b, indent)
		}
	default:
		b.WriteString(primitiveNames[n.kind])
	}
}

// renderOperand renders a type that a postfix (`[]` or `?`) applies to. Flow parenthesizes only
// string literals here, so that `A | B` items would render as `A | B[]` (an array of B only);
// unions and commented types are parenthesized too, to keep the meaning.
func (n *tsNode) renderOperand(b *strings.Builder, indent int) {
	paren := n.kind == tsUnion || n.kind == tsComment || (n.kind == tsLiteral && strings.HasSuffix(n.text, `"`))
	if paren {
		b.WriteByte('(')
	}
	n.render(b, indent)
	if paren {
		b.WriteByte(')')
	}
}

func (n *tsNode) renderObject(b *strings.Builder, indent int) {
	if len(n.props) == 0 {
		b.WriteString("Record<string, unknown>")
		return
	}
	b.WriteByte('{')
	for _, p := range n.props {
		newline(b, indent+1)
		b.WriteString(p.field)
		if !p.required {
			b.WriteByte('?')
		}
		b.WriteString(": ")
		p.value.render(b, indent+1)
		b.WriteByte(';')
	}
	newline(b, indent)
	b.WriteByte('}')
}

func newline(b *strings.Builder, indent int) {
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("    ", indent))
}

// String renders the type at the top level.
func (n *tsNode) String() string {
	var b strings.Builder
	n.render(&b, 0)
	return b.String()
}

// uncommented strips comments around a type.
func (n *tsNode) uncommented() *tsNode {
	for n.kind == tsComment {
		n = n.of
	}
	return n
}

// unionOf joins types into one, flattening nested unions and dropping comments and repeats.
// Unknown absorbs everything; no types at all is never.
func unionOf(nodes ...*tsNode) *tsNode {
	var variants []*tsNode
	seen := map[string]bool{}
	var add func(n *tsNode) bool
	add = func(n *tsNode) bool {
		n = n.uncommented()
		switch n.kind {
		case tsUnknown:
			return false
		case tsNever:
			return true
		case tsUnion:
			for _, v := range n.items {
				if !add(v) {
					return false
				}
			}
			return true
		}
		if key := n.String(); !seen[key] {
			seen[key] = true
			variants = append(variants, n)
		}
		return true
	}
	for _, n := range nodes {
		if !add(n) {
			return &tsNode{kind: tsUnknown}
		}
	}
	switch len(variants) {
	case 0:
		return &tsNode{kind: tsNever}
	case 1:
		return variants[0]
	}
	return &tsNode{kind: tsUnion, items: variants}
}
