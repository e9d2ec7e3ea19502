package schema

import "regexp"

// union returns the shape of a location that satisfies a or b (like anyOf): only what both
// guarantee survives. A side that cannot exist leaves the other side unchanged.
func union(a, b *Shape) *Shape {
	if a.Types == NoTypes {
		return b
	}
	if b.Types == NoTypes {
		return a
	}
	out := &Shape{
		Types:       a.Types | b.Types,
		Title:       sameString(a.Title, b.Title),
		Description: sameString(a.Description, b.Description),
		Anchor:      sameString(a.Anchor, b.Anchor),
		Secret:      a.Secret && b.Secret,
		MinItems:    min(a.MinItems, b.MinItems),
		MaxItems:    maxBound(a.MaxItems, b.MaxItems),
	}
	if a.HasDefault && b.HasDefault && valuesEqual(a.Default, b.Default) {
		out.Default, out.HasDefault, out.defaultErr = a.Default, true, a.defaultErr
	}
	switch {
	case a.Reduce == nil && !a.MultipleReduce, b.Reduce == nil && !b.MultipleReduce:
		// Unannotated on one side: the union is unannotated.
	case a.Reduce != nil && b.Reduce != nil && reducesEqual(a.Reduce, b.Reduce):
		out.Reduce = a.Reduce
	default:
		out.MultipleReduce = true
	}
	if a.Enum != nil && b.Enum != nil {
		out.Enum = append([]any(nil), a.Enum...)
		for _, v := range b.Enum {
			if !containsValue(out.Enum, v) {
				out.Enum = append(out.Enum, v)
			}
		}
	}
	unionStrings(out, a, b)
	unionObjects(out, a, b)
	unionArrays(out, a, b)
	return out
}

func unionStrings(out, a, b *Shape) {
	switch {
	case a.Types.Overlaps(String) && b.Types.Overlaps(String):
		out.Format = unionFormat(a.Format, b.Format)
		out.ContentEncoding = sameString(a.ContentEncoding, b.ContentEncoding)
		out.MaxLength = maxBound(a.MaxLength, b.MaxLength)
		out.MinLength = min(a.MinLength, b.MinLength)
	case b.Types.Overlaps(String):
		out.Format, out.ContentEncoding, out.MaxLength, out.MinLength = b.Format, b.ContentEncoding, b.MaxLength, b.MinLength
	default:
		out.Format, out.ContentEncoding, out.MaxLength, out.MinLength = a.Format, a.ContentEncoding, a.MaxLength, a.MinLength
	}
}

func unionObjects(out, a, b *Shape) {
	// A side that cannot be an object adds nothing to the object keywords.
	if !a.Types.Overlaps(Object) || !b.Types.Overlaps(Object) {
		src := a
		if !a.Types.Overlaps(Object) {
			src = b
		}
		out.Properties, out.AdditionalProperties = src.Properties, src.AdditionalProperties
		out.PatternRegexps, out.PatternProperties = src.PatternRegexps, src.PatternProperties
		return
	}
	i, j := 0, 0
	for i < len(a.Properties) || j < len(b.Properties) {
		switch {
		case j == len(b.Properties) || (i < len(a.Properties) && a.Properties[i].Name < b.Properties[j].Name):
			if imputed := b.imputed(a.Properties[i].Name); imputed != nil {
				out.Properties = append(out.Properties, Property{Name: a.Properties[i].Name, Shape: union(a.Properties[i].Shape, imputed)})
			}
			i++
		case i == len(a.Properties) || b.Properties[j].Name < a.Properties[i].Name:
			if imputed := a.imputed(b.Properties[j].Name); imputed != nil {
				out.Properties = append(out.Properties, Property{Name: b.Properties[j].Name, Shape: union(imputed, b.Properties[j].Shape)})
			}
			j++
		default:
			pa, pb := a.Properties[i], b.Properties[j]
			out.Properties = append(out.Properties, Property{
				Name: pa.Name, Shape: union(pa.Shape, pb.Shape), Required: pa.Required && pb.Required,
			})
			i, j = i+1, j+1
		}
	}
	// Patterns survive when both sides constrain the names they match.
	for k, re := range a.PatternRegexps {
		if n := indexOfPattern(b.PatternRegexps, re); n >= 0 {
			out.addPattern(re, union(a.PatternProperties[k], b.PatternProperties[n]))
		} else if b.AdditionalProperties != nil {
			out.addPattern(re, union(a.PatternProperties[k], b.AdditionalProperties))
		}
	}
	for k, re := range b.PatternRegexps {
		if indexOfPattern(a.PatternRegexps, re) < 0 && a.AdditionalProperties != nil {
			out.addPattern(re, union(a.AdditionalProperties, b.PatternProperties[k]))
		}
	}
	if a.AdditionalProperties != nil && b.AdditionalProperties != nil {
		out.AdditionalProperties = union(a.AdditionalProperties, b.AdditionalProperties)
	}
}

func (sh *Shape) addPattern(re *regexp.Regexp, s *Shape) {
	sh.PatternRegexps = append(sh.PatternRegexps, re)
	sh.PatternProperties = append(sh.PatternProperties, s)
}

func unionArrays(out, a, b *Shape) {
	if !a.Types.Overlaps(Array) || !b.Types.Overlaps(Array) {
		src := a
		if !a.Types.Overlaps(Array) {
			src = b
		}
		out.Tuple, out.Items = src.Tuple, src.Items
		out.MinItems, out.MaxItems = src.MinItems, src.MaxItems
		return
	}
	// The tuple runs as long as both sides say something of each index.
	for k := 0; k < max(len(a.Tuple), len(b.Tuple)); k++ {
		l, r := tupleItem(a, k), tupleItem(b, k)
		if l == nil || r == nil {
			break
		}
		out.Tuple = append(out.Tuple, union(l, r))
	}
	if a.Items != nil && b.Items != nil {
		out.Items = union(a.Items, b.Items)
	}
}

func sameString(a, b string) string {
	if a == b {
		return a
	}
	return ""
}

// unionFormat keeps a format both sides agree on; integer or number strings are number strings.
func unionFormat(a, b string) string {
	switch {
	case a == b:
		return a
	case (a == "integer" && b == "number") || (a == "number" && b == "integer"):
		return "number"
	}
	return ""
}

// maxBound is the looser of two upper bounds, where -1 means unbounded.
func maxBound(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
}
