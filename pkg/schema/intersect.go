package schema

import "regexp"

// intersect returns the shape of a location that must satisfy both a and b (like allOf).
// Annotations come from a where it sets them, else from b.
func intersect(a, b *Shape) *Shape {
	out := &Shape{
		Types:           a.Types & b.Types,
		Title:           firstString(a.Title, b.Title),
		Description:     firstString(a.Description, b.Description),
		Format:          firstString(a.Format, b.Format),
		ContentEncoding: firstString(a.ContentEncoding, b.ContentEncoding),
		Anchor:          firstString(a.Anchor, b.Anchor),
		MaxLength:       minBound(a.MaxLength, b.MaxLength),
		MinLength:       max(a.MinLength, b.MinLength),
		Secret:          a.Secret || b.Secret,
		MinItems:        max(a.MinItems, b.MinItems),
		MaxItems:        minBound(a.MaxItems, b.MaxItems),
	}
	out.Default, out.HasDefault, out.defaultErr = a.Default, a.HasDefault, a.defaultErr
	if !a.HasDefault {
		out.Default, out.HasDefault, out.defaultErr = b.Default, b.HasDefault, b.defaultErr
	}
	out.Reduce, out.MultipleReduce = a.Reduce, a.MultipleReduce
	if a.Reduce == nil && !a.MultipleReduce {
		out.Reduce, out.MultipleReduce = b.Reduce, b.MultipleReduce
	}
	switch {
	case a.Enum == nil:
		out.Enum = b.Enum
	case b.Enum == nil:
		out.Enum = a.Enum
	default:
		for _, v := range a.Enum {
			if containsValue(b.Enum, v) {
				out.Enum = append(out.Enum, v)
			}
		}
		if out.Enum == nil {
			out.Enum = []any{}
		}
	}
	intersectObjects(out, a, b)
	intersectArrays(out, a, b)
	restrictEnum(out)
	return out
}

func intersectObjects(out, a, b *Shape) {
	i, j := 0, 0
	for i < len(a.Properties) || j < len(b.Properties) {
		switch {
		case j == len(b.Properties) || (i < len(a.Properties) && a.Properties[i].Name < b.Properties[j].Name):
			out.Properties = append(out.Properties, imputeIntersect(a.Properties[i], b))
			i++
		case i == len(a.Properties) || b.Properties[j].Name < a.Properties[i].Name:
			out.Properties = append(out.Properties, imputeIntersect(b.Properties[j], a))
			j++
		default:
			pa, pb := a.Properties[i], b.Properties[j]
			out.Properties = append(out.Properties, Property{
				Name: pa.Name, Shape: intersect(pa.Shape, pb.Shape), Required: pa.Required || pb.Required,
			})
			i, j = i+1, j+1
		}
	}
	// Patterns accumulate; the same pattern on both sides intersects.
	out.PatternRegexps = append([]*regexp.Regexp(nil), a.PatternRegexps...)
	out.PatternProperties = append([]*Shape(nil), a.PatternProperties...)
	for k, re := range b.PatternRegexps {
		if n := indexOfPattern(out.PatternRegexps, re); n >= 0 {
			out.PatternProperties[n] = intersect(out.PatternProperties[n], b.PatternProperties[k])
			continue
		}
		out.PatternRegexps = append(out.PatternRegexps, re)
		out.PatternProperties = append(out.PatternProperties, b.PatternProperties[k])
	}
	switch {
	case a.AdditionalProperties == nil:
		out.AdditionalProperties = b.AdditionalProperties
	case b.AdditionalProperties == nil:
		out.AdditionalProperties = a.AdditionalProperties
	default:
		out.AdditionalProperties = intersect(a.AdditionalProperties, b.AdditionalProperties)
	}
}

// imputeIntersect intersects a property named on one side only with what the other side's
// patternProperties or additionalProperties say of it.
func imputeIntersect(p Property, other *Shape) Property {
	if imputed := other.imputed(p.Name); imputed != nil {
		p.Shape = intersect(p.Shape, imputed)
	}
	return p
}

func intersectArrays(out, a, b *Shape) {
	n := max(len(a.Tuple), len(b.Tuple))
	for k := 0; k < n; k++ {
		l, r := tupleItem(a, k), tupleItem(b, k)
		switch {
		case l == nil:
			out.Tuple = append(out.Tuple, r)
		case r == nil:
			out.Tuple = append(out.Tuple, l)
		default:
			out.Tuple = append(out.Tuple, intersect(l, r))
		}
	}
	switch {
	case a.Items == nil:
		out.Items = b.Items
	case b.Items == nil:
		out.Items = a.Items
	default:
		out.Items = intersect(a.Items, b.Items)
	}
}

// tupleItem is the shape a array shape gives index k: its tuple item, else its items, else nil.
func tupleItem(sh *Shape, k int) *Shape {
	if k < len(sh.Tuple) {
		return sh.Tuple[k]
	}
	return sh.Items
}

func indexOfPattern(list []*regexp.Regexp, re *regexp.Regexp) int {
	for i, r := range list {
		if r.String() == re.String() {
			return i
		}
	}
	return -1
}

func firstString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// minBound is the tighter of two upper bounds, where -1 means unbounded.
func minBound(a, b int) int {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}
