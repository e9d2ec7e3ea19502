package generate

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

var (
	// namedAnchor is Flow's rule for an `$anchor` that becomes a named TypeScript type.
	namedAnchor = regexp.MustCompile(`^[A-Z][\w_]+$`)
	// bareProperty is a property name TypeScript accepts without quotes (Flow's rule).
	bareProperty = regexp.MustCompile(`^\pL[\pL\pN_]*$`)
)

// tsMapper maps shapes to TypeScript types as Flow's derive-typescript does (flow-spec 9.2).
// A shape carrying a named `$anchor` renders as the type prefix+anchor, unless prefix is empty.
type tsMapper struct {
	prefix string
}

// anchor is a named type to declare: `export type <prefix><name> = <shape>`.
type anchor struct {
	name  string
	shape *schema.Shape
}

// typeOf maps a shape, rendering it in full even when it carries a named anchor (for the
// declaration of the document type or of the anchor type itself).
func (m tsMapper) typeOf(sh *schema.Shape) *tsNode {
	return withDocs(sh, m.inner(sh))
}

// ref maps a nested shape: by name when it carries a named anchor.
func (m tsMapper) ref(sh *schema.Shape) *tsNode {
	if m.prefix != "" && namedAnchor.MatchString(sh.Anchor) {
		n := &tsNode{kind: tsNamed, text: m.prefix + sh.Anchor}
		if sh.Title != "" { // as Flow: the title, not the description, of a reference
			n = &tsNode{kind: tsComment, text: commentText(sh.Title), of: n}
		}
		return n
	}
	return m.typeOf(sh)
}

// withDocs wraps a type in a comment of the shape's title and description.
func withDocs(sh *schema.Shape, n *tsNode) *tsNode {
	var parts []string
	for _, s := range []string{sh.Title, sh.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return n
	}
	return &tsNode{kind: tsComment, text: commentText(strings.Join(parts, " ")), of: n}
}

// commentText keeps a comment from closing early.
func commentText(s string) string { return strings.ReplaceAll(s, "*/", "*\\/") }

func (m tsMapper) inner(sh *schema.Shape) *tsNode {
	if sh.Types == schema.AnyTypes && sh.Enum == nil && sh.Items == nil && len(sh.Tuple) == 0 &&
		len(sh.Properties) == 0 && sh.AdditionalProperties == nil {
		return &tsNode{kind: tsUnknown}
	}
	if len(sh.Enum) > 0 {
		u := &tsNode{kind: tsUnion}
		for _, v := range sh.Enum {
			u.items = append(u.items, &tsNode{kind: tsLiteral, text: jsonLiteral(v)})
		}
		if len(u.items) == 1 {
			return u.items[0]
		}
		return u
	}
	var variants []*tsNode
	if sh.Types.Overlaps(schema.Object) {
		variants = append(variants, m.object(sh))
	}
	if sh.Types.Overlaps(schema.Array) {
		variants = append(variants, m.array(sh))
	}
	for _, t := range []struct {
		types schema.Types
		kind  tsKind
	}{{schema.Boolean, tsBoolean}, {schema.Number, tsNumber}, {schema.String, tsString}, {schema.Null, tsNull}} {
		if sh.Types.Overlaps(t.types) {
			variants = append(variants, &tsNode{kind: t.kind})
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

func (m tsMapper) object(sh *schema.Shape) *tsNode {
	n := &tsNode{kind: tsObject}
	for _, p := range sh.Properties {
		field := p.Name
		if !bareProperty.MatchString(field) {
			field = jsonLiteral(p.Name)
		}
		n.props = append(n.props, tsProp{field: field, value: m.ref(p.Shape), required: p.Required})
	}
	additional := sh.AdditionalProperties != nil && sh.AdditionalProperties.Types != schema.NoTypes
	if len(sh.PatternProperties) == 0 && !additional {
		return n
	}
	// An index signature must admit the type of every property, so it is the union of them all,
	// with undefined for optional ones.
	var members []*tsNode
	optional := false
	for _, p := range n.props {
		members = append(members, p.value)
		optional = optional || !p.required
	}
	for _, pp := range sh.PatternProperties {
		members = append(members, m.ref(pp))
	}
	if additional {
		members = append(members, m.ref(sh.AdditionalProperties))
	}
	if optional {
		members = append(members, &tsNode{kind: tsUndefined})
	}
	n.props = append(n.props, tsProp{field: "[k: string]", value: unionOf(members...), required: true})
	return n
}

func (m tsMapper) array(sh *schema.Shape) *tsNode {
	if len(sh.Tuple) == 0 {
		item := &tsNode{kind: tsUnknown}
		if sh.Items != nil {
			item = m.ref(sh.Items)
		}
		return &tsNode{kind: tsArray, of: item}
	}
	n := &tsNode{kind: tsTuple, minItems: sh.MinItems}
	for _, item := range sh.Tuple {
		n.items = append(n.items, m.ref(item))
	}
	if sh.Items != nil && sh.Items.Types != schema.NoTypes {
		n.of = m.ref(sh.Items)
	}
	return n
}

// jsonLiteral renders a JSON value as compact JSON, which is also a TypeScript literal type.
func jsonLiteral(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "unknown" // not a JSON value: nothing more precise can be said
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// anchorsOf lists the named anchors reachable in a shape, sorted by name. A name met twice keeps
// the first shape, in the order of Shape.Locations (properties by name, depth first).
func anchorsOf(sh *schema.Shape) []anchor {
	found := map[string]*schema.Shape{}
	var walk func(sh *schema.Shape)
	walk = func(sh *schema.Shape) {
		if namedAnchor.MatchString(sh.Anchor) {
			if _, ok := found[sh.Anchor]; !ok {
				found[sh.Anchor] = sh
			}
		}
		for _, p := range sh.Properties {
			walk(p.Shape)
		}
		for _, pp := range sh.PatternProperties {
			walk(pp)
		}
		if sh.AdditionalProperties != nil {
			walk(sh.AdditionalProperties)
		}
		for _, item := range sh.Tuple {
			walk(item)
		}
		if sh.Items != nil {
			walk(sh.Items)
		}
	}
	walk(sh)
	out := make([]anchor, 0, len(found))
	for name, s := range found {
		out = append(out, anchor{name: name, shape: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
