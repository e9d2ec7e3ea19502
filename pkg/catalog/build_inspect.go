package catalog

import (
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// inspectSchema reports the schema mistakes Flow's build rejects (reductions under a parent without
// one, strategies on types they cannot reduce, `set` children, invalid defaults, required locations
// that can never be valid), each at the sub-schema that describes the location when it can be found.
func (b *builder) inspectSchema(ref *SchemaRef, s *schema.Schema) {
	for _, p := range s.Shape().Inspect() {
		b.errorf(b.schemaLocationPosition(ref, p.Ptr), p.Code, inspectHint(p.Code), "schema %s: %s", displayURL(ref.URL), p.Message)
	}
}

func inspectHint(code string) string {
	switch code {
	case schema.CodeReduceParent:
		return "give every parent location a `reduce` strategy too (usually `strategy: merge`), or the parent's default lastWriteWins replaces the whole value"
	case schema.CodeReduceWrongType:
		return "restrict the location's `type` to what the strategy reduces, or choose another strategy"
	case schema.CodeSetChildren:
		return "a `set` holds only the properties add, remove and intersect"
	case schema.CodeInvalidDefault:
		return "make `default` a value the location's own schema accepts"
	case schema.CodeRequiredImpossible:
		return "drop the location from `required`, or allow some value there"
	}
	return ""
}

// schemaLocationPosition finds, in the schema a reference names, the sub-schema that describes a
// document location (following properties, items, additionalProperties and patternProperties), and
// returns its position. It stops at the deepest sub-schema it can follow without resolving `$ref`s
// or combinators, so the position is always inside the schema.
func (b *builder) schemaLocationPosition(ref *SchemaRef, docPtr string) Position {
	base, frag, _ := strings.Cut(ref.URL, "#")
	node := b.schemaDocs[base]
	var prefix Position
	if ref.IsInline {
		prefix = ref.Scope
	} else {
		if frag != "" && !strings.HasPrefix(frag, "/") {
			return b.cat.Locate(base, "") // an anchor: the file is as close as we get
		}
		prefix = Position{URL: base, Pointer: frag}
		for _, tok := range splitPointer(frag) {
			node = jsonChild(node, tok)
		}
	}
	var path []string
	for _, tok := range splitPointer(docPtr) {
		next, kw := schemaChild(node, tok)
		if next == nil {
			break
		}
		path = append(path, kw...)
		node = next
	}
	return b.at(prefix, path...)
}

// schemaChild returns the sub-schema of obj describing the document property or item tok (with
// Inspect's names: "-" for items after a tuple, "*" for additionalProperties), and its keywords.
func schemaChild(node any, tok string) (any, []string) {
	obj, ok := node.(map[string]any)
	if !ok {
		return nil, nil
	}
	lookup := func(kws ...string) (any, []string) {
		var v any = obj
		for _, kw := range kws {
			if v = jsonChild(v, kw); v == nil {
				return nil, nil
			}
		}
		return v, kws
	}
	if _, err := strconv.Atoi(tok); err == nil {
		if v, kws := lookup("prefixItems", tok); v != nil {
			return v, kws
		}
		return lookup("items", tok)
	}
	switch tok {
	case "-":
		if v, kws := lookup("additionalItems"); v != nil {
			return v, kws
		}
		return lookup("items")
	case "*":
		return lookup("additionalProperties")
	}
	if v, kws := lookup("properties", tok); v != nil {
		return v, kws
	}
	return lookup("patternProperties", tok)
}

// jsonChild steps into a JSON value by one reference token.
func jsonChild(v any, tok string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[tok]
	case []any:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(t) {
			return t[i]
		}
	}
	return nil
}
