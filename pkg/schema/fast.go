package schema

import (
	"math/big"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fastNode is one schema object of the compiled fast path: the keywords real collection schemas use,
// laid out so that validating a valid document allocates nothing. It mirrors santhosh-tekuri's
// semantics keyword by keyword (see fast_validate.go); a schema using any other keyword is not
// compiled at all (compileFast returns nil) and the library validates it instead.
type fastNode struct {
	boolean *bool // a `true` or `false` schema; nothing else is set

	types  fastTypes // 0: no `type` keyword
	consts *node.Node
	enum   []node.Node
	// inexact is set when const or enum holds a number that a float64 does not hold exactly, so
	// comparing with it is left to the library.
	inexact bool
	format  func(string) bool // nil: no `format`
	ref     *fastNode

	// objects
	minProps, maxProps *int
	properties         map[string]fastProperty
	requiredDeclared   int      // distinct required names that are also properties
	requiredOthers     []string // required names that are not
	patternProps       []patternProperty
	additional         any // nil, bool, or *fastNode
	propertyNames      *fastNode
	dependentRequired  []dependency

	// arrays
	minItems, maxItems *int
	uniqueItems        bool
	prefixItems        []*fastNode
	items              *fastNode // items after the prefix
	noMoreItems        bool      // 2019-09 `additionalItems: false` after an `items` tuple

	// strings
	minLength, maxLength *int
	pattern              jsonschema.Regexp

	// numbers
	minimum, maximum, exclusiveMinimum, exclusiveMaximum *bound
	multipleOf                                           *bound

	// applicators in place
	not                 *fastNode
	allOf, anyOf, oneOf []*fastNode
	ifs, thens, elses   *fastNode
}

// fastProperty is a declared property. A required one is counted while the document's properties
// are visited, which spares a lookup of each required name in the document.
type fastProperty struct {
	node     *fastNode
	required bool
}

// dependency is a property name and the names its presence requires.
type dependency struct {
	name     string
	requires []string
}

type patternProperty struct {
	re   jsonschema.Regexp
	node *fastNode
}

// bound is a numeric keyword's value, exact and as the nearest float64 (which settles most
// comparisons without building a big.Rat for the document's number).
type bound struct {
	exact   *big.Rat
	approx  float64
	integer int64 // the value when isInt64
	isInt64 bool
}

func newBound(r *big.Rat) *bound {
	if r == nil {
		return nil
	}
	f, _ := r.Float64()
	b := &bound{exact: r, approx: f}
	if r.IsInt() && r.Num().IsInt64() {
		b.integer, b.isInt64 = r.Num().Int64(), true
	}
	return b
}

// fastTypes is a set of JSON types, as a bit mask.
type fastTypes uint8

const (
	typeNull fastTypes = 1 << iota
	typeBoolean
	typeNumber
	typeInteger
	typeString
	typeArray
	typeObject
)

var fastTypeNames = map[string]fastTypes{
	"null": typeNull, "boolean": typeBoolean, "number": typeNumber, "integer": typeInteger,
	"string": typeString, "array": typeArray, "object": typeObject,
}

// fastCompiler translates a compiled santhosh schema graph into fastNodes, one per schema object
// (references share nodes, so recursion stays a cycle rather than an infinite tree).
type fastCompiler struct {
	nodes  map[*jsonschema.Schema]*fastNode
	values *node.Arena // const and enum values, read-only once compiled
	ok     bool
}

// compileFast returns the fast path of a compiled schema, the node of each of its schema objects and
// the arena of their const and enum values, or nils when some reachable schema uses a keyword the
// fast path does not implement, or when references loop without descending into the document
// (which the library reports as an error).
func compileFast(root *jsonschema.Schema) (*fastNode, map[*jsonschema.Schema]*fastNode, *node.Arena) {
	c := &fastCompiler{nodes: map[*jsonschema.Schema]*fastNode{}, values: &node.Arena{}, ok: true}
	n := c.node(root)
	if !c.ok || hasInPlaceCycle(n) {
		return nil, nil, nil
	}
	return n, c.nodes, c.values
}

func (c *fastCompiler) node(s *jsonschema.Schema) *fastNode {
	if s == nil || !c.ok {
		return nil
	}
	if n, ok := c.nodes[s]; ok {
		return n
	}
	n := &fastNode{}
	c.nodes[s] = n
	if !supported(s) {
		c.ok = false
		return nil
	}
	if s.Bool != nil {
		n.boolean = s.Bool
		return n
	}
	if s.Types != nil {
		for _, name := range s.Types.ToStrings() {
			n.types |= fastTypeNames[name]
		}
	}
	if s.Const != nil {
		v := c.value(n, *s.Const)
		n.consts = &v
	}
	if s.Enum != nil {
		n.enum = make([]node.Node, len(s.Enum.Values))
		for i, e := range s.Enum.Values {
			n.enum[i] = c.value(n, e)
		}
	}
	n.format = formatCheck(s.Format)
	n.ref = c.node(s.Ref)
	c.object(n, s)
	c.array(n, s)
	n.minLength, n.maxLength, n.pattern = s.MinLength, s.MaxLength, s.Pattern
	n.minimum, n.maximum = newBound(s.Minimum), newBound(s.Maximum)
	n.exclusiveMinimum, n.exclusiveMaximum = newBound(s.ExclusiveMinimum), newBound(s.ExclusiveMaximum)
	n.multipleOf = newBound(s.MultipleOf)
	n.not = c.node(s.Not)
	n.allOf, n.anyOf, n.oneOf = c.list(s.AllOf), c.list(s.AnyOf), c.list(s.OneOf)
	n.ifs, n.thens, n.elses = c.node(s.If), c.node(s.Then), c.node(s.Else)
	return n
}

// value copies a const or enum value into the compiler's arena. A value of another Go type than a
// decoded document's leaves the schema to the library.
func (c *fastCompiler) value(n *fastNode, v any) node.Node {
	switch exactAsNode(v) {
	case notJSON:
		c.ok = false
		return node.NullNode
	case inexactNumber:
		n.inexact = true
	}
	return c.values.FromAny(v)
}

// supported reports whether every keyword of one schema object has a fast implementation.
func supported(s *jsonschema.Schema) bool {
	if s.Bool != nil {
		return true
	}
	if s.DraftVersion < 2019 || s.RecursiveRef != nil || s.DynamicRef != nil ||
		s.UnevaluatedProperties != nil || s.UnevaluatedItems != nil || len(s.DependentSchemas) > 0 ||
		s.Contains != nil || s.ContentEncoding != nil || s.ContentMediaType != nil || s.ContentSchema != nil {
		return false
	}
	for _, dep := range s.Dependencies {
		if _, isList := dep.([]string); !isList {
			return false
		}
	}
	for _, ext := range s.Extensions {
		if _, isFlow := ext.(*flowKeywords); !isFlow {
			return false
		}
	}
	return true
}

// formatCheck returns the check of a format on strings (formats constrain strings only): an
// allocation-free one for the common formats, the library's otherwise.
func formatCheck(f *jsonschema.Format) func(string) bool {
	if f == nil {
		return nil
	}
	if check, ok := fastFormats[f.Name]; ok {
		return check
	}
	return func(s string) bool { return f.Validate(s) == nil }
}

func (c *fastCompiler) list(schemas []*jsonschema.Schema) []*fastNode {
	if len(schemas) == 0 {
		return nil
	}
	out := make([]*fastNode, len(schemas))
	for i, s := range schemas {
		out[i] = c.node(s)
	}
	return out
}

func (c *fastCompiler) object(n *fastNode, s *jsonschema.Schema) {
	n.minProps, n.maxProps = s.MinProperties, s.MaxProperties
	if len(s.Properties) > 0 {
		n.properties = make(map[string]fastProperty, len(s.Properties))
		for name, sub := range s.Properties {
			n.properties[name] = fastProperty{node: c.node(sub)}
		}
	}
	for _, name := range s.Required {
		p, declared := n.properties[name]
		switch {
		case !declared:
			n.requiredOthers = append(n.requiredOthers, name)
		case !p.required: // a name may be listed twice
			p.required = true
			n.properties[name] = p
			n.requiredDeclared++
		}
	}
	for re, sub := range s.PatternProperties {
		n.patternProps = append(n.patternProps, patternProperty{re: re, node: c.node(sub)})
	}
	switch a := s.AdditionalProperties.(type) {
	case bool:
		n.additional = a
	case *jsonschema.Schema:
		n.additional = c.node(a)
	}
	n.propertyNames = c.node(s.PropertyNames)
	// `dependencies` with a list of names is dependentRequired spelled the draft-7 way.
	if len(s.DependentRequired)+len(s.Dependencies) > 0 {
		byName := map[string][]string{}
		for name, deps := range s.Dependencies {
			byName[name] = append([]string(nil), deps.([]string)...)
		}
		for name, deps := range s.DependentRequired {
			byName[name] = append(byName[name], deps...)
		}
		for name, deps := range byName {
			n.dependentRequired = append(n.dependentRequired, dependency{name: name, requires: deps})
		}
	}
}

func (c *fastCompiler) array(n *fastNode, s *jsonschema.Schema) {
	n.minItems, n.maxItems, n.uniqueItems = s.MinItems, s.MaxItems, s.UniqueItems
	n.prefixItems, n.items = c.list(s.PrefixItems), c.node(s.Items2020)
	switch items := s.Items.(type) { // the 2019-09 forms
	case *jsonschema.Schema:
		n.items = c.node(items)
	case []*jsonschema.Schema:
		n.prefixItems = c.list(items)
		switch more := s.AdditionalItems.(type) {
		case bool:
			n.noMoreItems = !more
		case *jsonschema.Schema:
			n.items = c.node(more)
		}
	}
}

// hasInPlaceCycle reports whether a node can reach itself through applicators that stay at the same
// document location ($ref, allOf, anyOf, oneOf, not, if/then/else). The library reports such a
// loop as an invalid document; the fast path would recurse forever, so it leaves those to the library.
func hasInPlaceCycle(root *fastNode) bool {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*fastNode]int{}
	var visit func(n *fastNode) bool
	visit = func(n *fastNode) bool {
		if n == nil || state[n] == done {
			return false
		}
		if state[n] == visiting {
			return true
		}
		state[n] = visiting
		for _, next := range n.inPlace() {
			if visit(next) {
				return true
			}
		}
		state[n] = done
		return false
	}
	// Every node must be checked, including those reached only below properties or items.
	for _, n := range reachable(root) {
		if visit(n) {
			return true
		}
	}
	return false
}

// inPlace lists the sub-schemas applied to the same value.
func (n *fastNode) inPlace() []*fastNode {
	out := []*fastNode{n.ref, n.not, n.ifs, n.thens, n.elses}
	out = append(out, n.allOf...)
	out = append(out, n.anyOf...)
	return append(out, n.oneOf...)
}

// children lists the sub-schemas applied to values inside this one.
func (n *fastNode) children() []*fastNode {
	out := []*fastNode{n.items, n.propertyNames}
	if a, ok := n.additional.(*fastNode); ok {
		out = append(out, a)
	}
	for _, p := range n.properties {
		out = append(out, p.node)
	}
	for _, p := range n.patternProps {
		out = append(out, p.node)
	}
	return append(out, n.prefixItems...)
}

func reachable(root *fastNode) []*fastNode {
	seen := map[*fastNode]bool{root: true}
	all := []*fastNode{root}
	for i := 0; i < len(all); i++ {
		for _, next := range append(all[i].inPlace(), all[i].children()...) {
			if next != nil && !seen[next] {
				seen[next] = true
				all = append(all, next)
			}
		}
	}
	return all
}
