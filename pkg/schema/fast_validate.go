package schema

import (
	"unicode/utf8"

	"github.com/flowctl/flowctl/pkg/node"
)

// fastRun is the state of one fast validation of a document held in arena a. unsure is set when the
// fast path meets something it does not decide itself (a non-finite float, a number compared with
// an inexact const, a long array under uniqueItems); the library then decides the whole document.
type fastRun struct {
	a      *node.Arena
	values *node.Arena // the fast path's const and enum values
	unsure bool
}

// maxPairwiseUnique bounds the arrays whose uniqueness the fast path checks pair by pair.
const maxPairwiseUnique = 128

// valid reports whether v satisfies the node. Each keyword is checked as santhosh-tekuri's
// validator checks it (validator.go), stopping at the first failure since only validity matters.
func (n *fastNode) valid(v node.Node, r *fastRun) bool {
	if n.boolean != nil {
		return *n.boolean
	}
	if n.types != 0 && !typeMatches(n.types, v, r) {
		return false
	}
	if n.consts != nil || n.enum != nil {
		if n.inexact {
			r.unsure = true
			return false
		}
		if n.consts != nil && !r.equal(v, r.a, *n.consts, r.values) {
			return false
		}
		if n.enum != nil && !r.inEnum(n.enum, v) {
			return false
		}
	}
	if n.ref != nil && !n.ref.valid(v, r) {
		return false
	}
	switch v.Kind() {
	case node.Object:
		if !n.validObject(v, r) {
			return false
		}
	case node.Array:
		if !n.validArray(v, r) {
			return false
		}
	case node.String:
		if !n.validString(r.a.Str(v)) {
			return false
		}
	case node.PosInt, node.NegInt, node.Float:
		if !n.validNumber(v, r) {
			return false
		}
	}
	return n.validInPlace(v, r)
}

var kindTypes = [...]fastTypes{
	node.Null: typeNull, node.Bool: typeBoolean, node.PosInt: typeNumber | typeInteger,
	node.NegInt: typeNumber | typeInteger, node.Float: typeNumber, node.String: typeString,
	node.Array: typeArray, node.Object: typeObject,
}

func typeMatches(types fastTypes, v node.Node, r *fastRun) bool {
	if types&kindTypes[v.Kind()] != 0 {
		return true
	}
	return v.Kind() == node.Float && types&typeInteger != 0 && isIntegral(v, r)
}

func (r *fastRun) inEnum(values []node.Node, v node.Node) bool {
	for _, e := range values {
		if r.equal(v, r.a, e, r.values) {
			return true
		}
	}
	return false
}

func (n *fastNode) validObject(obj node.Node, r *fastRun) bool {
	fields := r.a.Fields(obj)
	if (n.minProps != nil && len(fields) < *n.minProps) || (n.maxProps != nil && len(fields) > *n.maxProps) {
		return false
	}
	if !hasAll(r.a, obj, n.requiredOthers) {
		return false
	}
	for _, dep := range n.dependentRequired {
		if _, present := r.a.Get(obj, dep.name); present && !hasAll(r.a, obj, dep.requires) {
			return false
		}
	}
	requiredSeen := 0
	for _, f := range fields {
		name := r.a.Str(f.Name)
		evaluated := false
		if p, ok := n.properties[name]; ok {
			if !p.node.valid(f.Value, r) {
				return false
			}
			if p.required {
				requiredSeen++
			}
			evaluated = true
		}
		for _, p := range n.patternProps {
			if p.re.MatchString(name) {
				if !p.node.valid(f.Value, r) {
					return false
				}
				evaluated = true
			}
		}
		if !evaluated {
			switch a := n.additional.(type) {
			case bool:
				if !a {
					return false
				}
			case *fastNode:
				if !a.valid(f.Value, r) {
					return false
				}
			}
		}
		if n.propertyNames != nil && !n.propertyNames.valid(f.Name, r) {
			return false
		}
	}
	return requiredSeen == n.requiredDeclared
}

func hasAll(a *node.Arena, obj node.Node, names []string) bool {
	for _, name := range names {
		if _, ok := a.Get(obj, name); !ok {
			return false
		}
	}
	return true
}

func (n *fastNode) validArray(arr node.Node, r *fastRun) bool {
	items := r.a.Items(arr)
	if (n.minItems != nil && len(items) < *n.minItems) || (n.maxItems != nil && len(items) > *n.maxItems) {
		return false
	}
	if n.uniqueItems && !allUnique(items, r) {
		return false
	}
	for i, item := range items {
		var sub *fastNode
		switch {
		case i < len(n.prefixItems):
			sub = n.prefixItems[i]
		case n.noMoreItems:
			return false
		default:
			sub = n.items
		}
		if sub != nil && !sub.valid(item, r) {
			return false
		}
	}
	return true
}

func allUnique(items []node.Node, r *fastRun) bool {
	if len(items) > maxPairwiseUnique {
		r.unsure = true
		return false
	}
	for i := 1; i < len(items); i++ {
		for j := 0; j < i; j++ {
			if r.equal(items[i], r.a, items[j], r.a) {
				return false
			}
		}
	}
	return true
}

func (n *fastNode) validString(s string) bool {
	if n.minLength != nil || n.maxLength != nil {
		length := utf8.RuneCountInString(s) // JSON Schema counts code points
		if (n.minLength != nil && length < *n.minLength) || (n.maxLength != nil && length > *n.maxLength) {
			return false
		}
	}
	if n.format != nil && !n.format(s) {
		return false
	}
	return n.pattern == nil || n.pattern.MatchString(s)
}

func (n *fastNode) validNumber(x node.Node, r *fastRun) bool {
	if n.minimum != nil && compareNumber(x, n.minimum, r) < 0 {
		return false
	}
	if n.maximum != nil && compareNumber(x, n.maximum, r) > 0 {
		return false
	}
	if n.exclusiveMinimum != nil && compareNumber(x, n.exclusiveMinimum, r) <= 0 {
		return false
	}
	if n.exclusiveMaximum != nil && compareNumber(x, n.exclusiveMaximum, r) >= 0 {
		return false
	}
	if n.multipleOf != nil && !isMultiple(x, n.multipleOf, r) {
		return false
	}
	return true
}

// validInPlace applies not, allOf, anyOf, oneOf and if/then/else.
func (n *fastNode) validInPlace(v node.Node, r *fastRun) bool {
	if n.not != nil && n.not.valid(v, r) {
		return false
	}
	for _, sub := range n.allOf {
		if !sub.valid(v, r) {
			return false
		}
	}
	if len(n.anyOf) > 0 && !anyValid(n.anyOf, v, r) {
		return false
	}
	if len(n.oneOf) > 0 && !oneValid(n.oneOf, v, r) {
		return false
	}
	if n.ifs != nil {
		branch := n.elses
		if n.ifs.valid(v, r) {
			branch = n.thens
		}
		if branch != nil && !branch.valid(v, r) {
			return false
		}
	}
	return true
}

func anyValid(branches []*fastNode, v node.Node, r *fastRun) bool {
	for _, b := range branches {
		if b.valid(v, r) {
			return true
		}
	}
	return false
}

func oneValid(branches []*fastNode, v node.Node, r *fastRun) bool {
	matched := 0
	for _, b := range branches {
		if b.valid(v, r) {
			if matched++; matched > 1 {
				return false
			}
		}
	}
	return matched == 1
}

// equal is JSON Schema equality (numbers by value, as the library's) of x in arena xa and y in ya.
func (r *fastRun) equal(x node.Node, xa *node.Arena, y node.Node, ya *node.Arena) bool {
	if x.Kind().IsNumber() && y.Kind().IsNumber() {
		return numbersEqual(x, y, r)
	}
	if x.Kind() != y.Kind() || x.Len() != y.Len() {
		return false
	}
	switch x.Kind() {
	case node.Bool:
		return x.Bool() == y.Bool()
	case node.String:
		return xa.Str(x) == ya.Str(y)
	case node.Array:
		xs, ys := xa.Items(x), ya.Items(y)
		for i := range xs {
			if !r.equal(xs[i], xa, ys[i], ya) {
				return false
			}
		}
	case node.Object:
		// Fields are sorted by name, so equal objects list them in the same order.
		xs, ys := xa.Fields(x), ya.Fields(y)
		for i := range xs {
			if xa.Str(xs[i].Name) != ya.Str(ys[i].Name) || !r.equal(xs[i].Value, xa, ys[i].Value, ya) {
				return false
			}
		}
	}
	return true
}
