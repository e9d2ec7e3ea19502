package schema

import (
	"encoding/json"
	"unicode/utf8"
)

// fastRun is the state of one fast validation. unsure is set when the fast path meets something it
// does not decide itself (a value of a Go type other than the six of a decoded document, a number
// that does not parse, a long array under uniqueItems); the library then decides the whole document.
type fastRun struct {
	unsure bool
}

// maxPairwiseUnique bounds the arrays whose uniqueness the fast path checks pair by pair.
const maxPairwiseUnique = 128

// valid reports whether v satisfies the node. Each keyword is checked as santhosh-tekuri's
// validator checks it (validator.go), stopping at the first failure since only validity matters.
func (n *fastNode) valid(v any, r *fastRun) bool {
	if n.boolean != nil {
		return *n.boolean
	}
	switch v.(type) {
	case nil, bool, json.Number, string, []any, map[string]any:
	default:
		r.unsure = true
		return false
	}
	if n.types != 0 && !typeMatches(n.types, v, r) {
		return false
	}
	if n.consts != nil && !fastEqual(v, *n.consts, r) {
		return false
	}
	if n.enum != nil && !inEnum(n.enum, v, r) {
		return false
	}
	if n.format != nil && !n.format(v) {
		return false
	}
	if n.ref != nil && !n.ref.valid(v, r) {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		if !n.validObject(t, r) {
			return false
		}
	case []any:
		if !n.validArray(t, r) {
			return false
		}
	case string:
		if !n.validString(t) {
			return false
		}
	case json.Number:
		if !n.validNumber(t, r) {
			return false
		}
	}
	return n.validInPlace(v, r)
}

func typeMatches(types fastTypes, v any, r *fastRun) bool {
	var t fastTypes
	switch v.(type) {
	case nil:
		t = typeNull
	case bool:
		t = typeBoolean
	case json.Number:
		t = typeNumber
	case string:
		t = typeString
	case []any:
		t = typeArray
	case map[string]any:
		t = typeObject
	}
	if types&t != 0 {
		return true
	}
	return t == typeNumber && types&typeInteger != 0 && isIntegral(v.(json.Number), r)
}

func inEnum(values []any, v any, r *fastRun) bool {
	for _, e := range values {
		if fastEqual(v, e, r) {
			return true
		}
	}
	return false
}

func (n *fastNode) validObject(obj map[string]any, r *fastRun) bool {
	if (n.minProps != nil && len(obj) < *n.minProps) || (n.maxProps != nil && len(obj) > *n.maxProps) {
		return false
	}
	if !hasAll(obj, n.requiredOthers) {
		return false
	}
	for name, deps := range n.dependentRequired {
		if _, present := obj[name]; present && !hasAll(obj, deps) {
			return false
		}
	}
	requiredSeen := 0
	for name, value := range obj {
		evaluated := false
		if p, ok := n.properties[name]; ok {
			if !p.node.valid(value, r) {
				return false
			}
			if p.required {
				requiredSeen++
			}
			evaluated = true
		}
		for _, p := range n.patternProps {
			if p.re.MatchString(name) {
				if !p.node.valid(value, r) {
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
				if !a.valid(value, r) {
					return false
				}
			}
		}
		if n.propertyNames != nil && !n.propertyNames.valid(name, r) {
			return false
		}
	}
	return requiredSeen == n.requiredDeclared
}

func hasAll(obj map[string]any, names []string) bool {
	for _, name := range names {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	return true
}

func (n *fastNode) validArray(arr []any, r *fastRun) bool {
	if (n.minItems != nil && len(arr) < *n.minItems) || (n.maxItems != nil && len(arr) > *n.maxItems) {
		return false
	}
	if n.uniqueItems && !allUnique(arr, r) {
		return false
	}
	for i, item := range arr {
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

func allUnique(arr []any, r *fastRun) bool {
	if len(arr) > maxPairwiseUnique {
		r.unsure = true
		return false
	}
	for i := 1; i < len(arr); i++ {
		for j := 0; j < i; j++ {
			if fastEqual(arr[i], arr[j], r) {
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
	return n.pattern == nil || n.pattern.MatchString(s)
}

func (n *fastNode) validNumber(x json.Number, r *fastRun) bool {
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
func (n *fastNode) validInPlace(v any, r *fastRun) bool {
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

func anyValid(branches []*fastNode, v any, r *fastRun) bool {
	for _, b := range branches {
		if b.valid(v, r) {
			return true
		}
	}
	return false
}

func oneValid(branches []*fastNode, v any, r *fastRun) bool {
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
