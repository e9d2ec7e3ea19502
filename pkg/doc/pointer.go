package doc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// Pointer is a parsed RFC 6901 JSON pointer: its unescaped reference tokens. The empty Pointer
// refers to the whole document.
type Pointer []string

// ParsePointer parses "" or a string of "/"-prefixed tokens, unescaping ~0 and ~1.
func ParsePointer(s string) (Pointer, error) {
	if s == "" {
		return Pointer{}, nil
	}
	if s[0] != '/' {
		return nil, fmt.Errorf("%q is not a valid JSON pointer (missing leading '/' slash)", s)
	}
	parts := strings.Split(s[1:], "/")
	for i, p := range parts {
		if !strings.Contains(p, "~") {
			continue
		}
		for j := 0; j < len(p); j++ {
			if p[j] == '~' && (j+1 == len(p) || (p[j+1] != '0' && p[j+1] != '1')) {
				return nil, fmt.Errorf("%q is not a valid JSON pointer (%q has a '~' not followed by 0 or 1; write ~0 for '~' and ~1 for '/')", s, p)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return Pointer(parts), nil
}

// MustParsePointer is ParsePointer for pointers known to be valid, such as literals in code.
func MustParsePointer(s string) Pointer {
	p, err := ParsePointer(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String formats the pointer, escaping '~' and '/' within tokens.
func (p Pointer) String() string {
	var b strings.Builder
	for _, tok := range p {
		b.WriteByte('/')
		b.WriteString(escapeToken(tok))
	}
	return b.String()
}

func escapeToken(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// Query returns the value at the pointer, and whether it exists. Array tokens must be decimal
// indexes without leading zeros.
func (p Pointer) Query(v any) (any, bool) {
	for _, tok := range p {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			idx, ok := arrayIndex(tok)
			if !ok || idx >= len(node) {
				return nil, false
			}
			v = node[idx]
		default:
			return nil, false
		}
	}
	return v, true
}

// QueryNode is Query over a document held in an arena.
func (p Pointer) QueryNode(a *node.Arena, v node.Node) (node.Node, bool) {
	for _, tok := range p {
		switch v.Kind() {
		case node.Object:
			next, ok := a.Get(v, tok)
			if !ok {
				return node.Node{}, false
			}
			v = next
		case node.Array:
			idx, ok := arrayIndex(tok)
			if !ok || idx >= v.Len() {
				return node.Node{}, false
			}
			v = a.Items(v)[idx]
		default:
			return node.Node{}, false
		}
	}
	return v, true
}

func arrayIndex(tok string) (int, bool) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	idx, err := strconv.Atoi(tok)
	return idx, err == nil
}
