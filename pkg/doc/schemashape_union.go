package doc

import (
	"cmp"
	"encoding/json"
	"maps"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// unionShapes is Flow's Shape::union: the result admits what either side admits, keeping only
// the constraints both impose.
func unionShapes(a, b *schemaShape) *schemaShape {
	switch {
	case a.types == typeInvalid:
		return b
	case b.types == typeInvalid:
		return a
	}
	out := &schemaShape{
		types:       a.types | b.types,
		enum:        unionEnum(a.enum, b.enum),
		title:       sameString(a.title, b.title),
		description: sameString(a.description, b.description),
		annotations: maps.Clone(a.annotations),
	}
	if a.hasDefault && b.hasDefault && Compare(a.dflt, b.dflt) == 0 {
		out.dflt, out.hasDefault = a.dflt, true
	}
	if a.secret != nil && b.secret != nil && *a.secret == *b.secret {
		out.secret = a.secret
	}
	if a.reduce != nil && b.reduce != nil && Compare(a.reduce, b.reduce) == 0 {
		out.reduce = a.reduce
	}
	// Annotations intersect: only those certain to apply at the location remain.
	maps.DeleteFunc(out.annotations, func(k string, v any) bool {
		bv, ok := b.annotations[k]
		return !ok || Compare(v, bv) != 0
	})

	// Each facet unions when both sides admit its type, else comes from the side that does.
	switch pickFacets(a, b, typeString) {
	case facetsBoth:
		out.format = unionFormat(a.format, b.format)
		out.contentEncoding = sameString(a.contentEncoding, b.contentEncoding)
		out.contentMediaType = sameString(a.contentMediaType, b.contentMediaType)
		out.minLength = min(a.minLength, b.minLength)
		out.maxLength = looserMax(a.maxLength, b.maxLength)
	case facetsA:
		out.format, out.contentEncoding, out.contentMediaType = a.format, a.contentEncoding, a.contentMediaType
		out.minLength, out.maxLength = a.minLength, a.maxLength
	case facetsB:
		out.format, out.contentEncoding, out.contentMediaType = b.format, b.contentEncoding, b.contentMediaType
		out.minLength, out.maxLength = b.minLength, b.maxLength
	}
	switch pickFacets(a, b, typeNumber) {
	case facetsBoth:
		out.minimum = looserBound(a.minimum, b.minimum, -1)
		out.maximum = looserBound(a.maximum, b.maximum, 1)
	case facetsA:
		out.minimum, out.maximum = a.minimum, a.maximum
	case facetsB:
		out.minimum, out.maximum = b.minimum, b.maximum
	}
	switch pickFacets(a, b, typeArray) {
	case facetsBoth:
		unionArrays(out, a, b)
	case facetsA:
		out.minItems, out.maxItems, out.tuple, out.additionalItems = a.minItems, a.maxItems, a.tuple, a.additionalItems
	case facetsB:
		out.minItems, out.maxItems, out.tuple, out.additionalItems = b.minItems, b.maxItems, b.tuple, b.additionalItems
	}
	switch pickFacets(a, b, typeObject) {
	case facetsBoth:
		unionObjects(out, a, b)
	case facetsA:
		out.properties, out.patterns, out.additionalPro = a.properties, a.patterns, a.additionalPro
	case facetsB:
		out.properties, out.patterns, out.additionalPro = b.properties, b.patterns, b.additionalPro
	}
	return out
}

type facetSource int

const (
	facetsA facetSource = iota
	facetsB
	facetsBoth
)

func pickFacets(a, b *schemaShape, t shapeTypes) facetSource {
	switch {
	case a.types&t != 0 && b.types&t != 0:
		return facetsBoth
	case b.types&t != 0:
		return facetsB
	}
	return facetsA
}

func unionArrays(out, a, b *schemaShape) {
	out.minItems = min(a.minItems, b.minItems)
	out.maxItems = looserMax(a.maxItems, b.maxItems)
	// Past the shorter tuple, items are what its additionalItems admits: with none, anything,
	// so the union's tuple ends there.
	for i := range max(len(a.tuple), len(b.tuple)) {
		var l, r *schemaShape
		if i < len(a.tuple) {
			l = a.tuple[i]
		} else {
			l = a.additionalItems
		}
		if i < len(b.tuple) {
			r = b.tuple[i]
		} else {
			r = b.additionalItems
		}
		if l == nil || r == nil {
			break
		}
		out.tuple = append(out.tuple, unionShapes(l, r))
	}
	out.additionalItems = unionAdditional(a.additionalItems, b.additionalItems)
}

func unionObjects(out, a, b *schemaShape) {
	// A property named on one side only unions with what the other side imputes to it; when
	// that is unconstrained the union is too, and the property is dropped.
	i, j := 0, 0
	for i < len(a.properties) || j < len(b.properties) {
		var ord int
		switch {
		case i == len(a.properties):
			ord = 1
		case j == len(b.properties):
			ord = -1
		default:
			ord = strings.Compare(a.properties[i].name, b.properties[j].name)
		}
		switch {
		case ord == 0:
			l, r := a.properties[i], b.properties[j]
			out.properties = append(out.properties, shapeProperty{
				name: l.name, required: l.required && r.required, shape: unionShapes(l.shape, r.shape)})
			i, j = i+1, j+1
		case ord < 0:
			if other := imputedOrNil(b, a.properties[i].name); other != nil {
				out.properties = append(out.properties, shapeProperty{
					name: a.properties[i].name, shape: unionShapes(a.properties[i].shape, other)})
			}
			i++
		default:
			if other := imputedOrNil(a, b.properties[j].name); other != nil {
				out.properties = append(out.properties, shapeProperty{
					name: b.properties[j].name, shape: unionShapes(other, b.properties[j].shape)})
			}
			j++
		}
	}
	// Patterns union when both sides have the same expression; a pattern of one side unions
	// with the other side's additionalProperties, if it has any.
	i, j = 0, 0
	for i < len(a.patterns) || j < len(b.patterns) {
		var ord int
		switch {
		case i == len(a.patterns):
			ord = 1
		case j == len(b.patterns):
			ord = -1
		default:
			ord = strings.Compare(a.patterns[i].re.String(), b.patterns[j].re.String())
		}
		switch {
		case ord == 0:
			out.patterns = append(out.patterns, shapePattern{a.patterns[i].re, unionShapes(a.patterns[i].shape, b.patterns[j].shape)})
			i, j = i+1, j+1
		case ord < 0:
			if b.additionalPro != nil {
				out.patterns = append(out.patterns, shapePattern{a.patterns[i].re, unionShapes(a.patterns[i].shape, b.additionalPro)})
			}
			i++
		default:
			if a.additionalPro != nil {
				out.patterns = append(out.patterns, shapePattern{b.patterns[j].re, unionShapes(a.additionalPro, b.patterns[j].shape)})
			}
			j++
		}
	}
	out.additionalPro = unionAdditional(a.additionalPro, b.additionalPro)
}

// imputedOrNil is the shape sh gives a property it does not name, or nil when unconstrained.
func imputedOrNil(sh *schemaShape, name string) *schemaShape {
	for _, p := range sh.patterns {
		if p.re.MatchString(name) {
			return p.shape
		}
	}
	return sh.additionalPro
}

func unionAdditional(a, b *schemaShape) *schemaShape {
	if a == nil || b == nil {
		return nil // either side unconstrained: so is the union
	}
	return unionShapes(a, b)
}

func unionEnum(a, b []any) []any {
	if a == nil || b == nil {
		return nil
	}
	return sortedUnique(append(append(make([]any, 0, len(a)+len(b)), a...), b...))
}

func sameString(a, b *string) *string {
	if a != nil && b != nil && *a == *b {
		return a
	}
	return nil
}

// unionFormat keeps a format both sides agree on; integer and number generalise to number.
func unionFormat(a, b *string) *string {
	if a == nil || b == nil {
		return nil
	}
	if *a == *b {
		return a
	}
	if (*a == "integer" && *b == "number") || (*a == "number" && *b == "integer") {
		number := "number"
		return &number
	}
	return nil
}

func looserMax(a, b *int64) *int64 {
	if a == nil || b == nil {
		return nil
	}
	return new(max(*a, *b))
}

// looserBound keeps the looser of two bounds (dir -1: the smaller, 1: the larger); a bound on
// one side only is dropped. Between equal values the fractional spelling wins (5.0 over 5), as
// Flow keeps it, so inferred bounds of mixed data do not flap.
func looserBound(a, b *json.Number, dir int) *json.Number {
	if a == nil || b == nil {
		return nil
	}
	switch c := Compare(*a, *b) * dir; {
	case c > 0:
		return a
	case c < 0:
		return b
	}
	return cmp.Or(fractional(a), fractional(b), a)
}

func fractional(n *json.Number) *json.Number {
	if node.ParseNumber(string(*n)).Kind() == node.Float {
		return n
	}
	return nil
}
