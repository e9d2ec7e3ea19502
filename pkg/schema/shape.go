package schema

import "regexp"

// Shape is the static inference of a schema location: what every valid document holds there,
// as far as the schema says without seeing a document. It follows Flow's shape inference
// (crates/doc/src/shape): `$ref` and `allOf` intersect, `anyOf`/`oneOf` branches unite and then
// intersect, `if`/`then`/`else` contribute the union of `then` and `else` (when both are present),
// `not` contributes nothing, and a `$ref` cycle is cut with an unconstrained shape.
type Shape struct {
	Types       Types // NoTypes: no value is valid here
	Enum        []any // nil: unconstrained; else the only allowed values
	Title       string
	Description string
	Default     any
	HasDefault  bool
	// Format and the other string annotations.
	Format          string
	ContentEncoding string
	MaxLength       int // -1: unbounded
	MinLength       int
	Secret          bool
	// Reduce is the `reduce` annotation. MultipleReduce is set instead when alternatives
	// (oneOf, anyOf, then/else) annotate this location with different strategies.
	Reduce         *Reduce
	MultipleReduce bool
	// Anchor is the `$anchor` naming this shape, for generated type names.
	Anchor string

	Properties        []Property // sorted by name
	PatternProperties []*Shape   // matching property names by PatternRegexps
	PatternRegexps    []*regexp.Regexp
	// AdditionalProperties constrains other properties; nil leaves them unconstrained.
	AdditionalProperties *Shape

	Tuple    []*Shape // prefixItems (or 2019-09 `items: [...]`)
	Items    *Shape   // items after the tuple; nil leaves them unconstrained
	MinItems int
	MaxItems int // -1: unbounded

	// defaultErr is why Default fails its own schema, if it does.
	defaultErr error
}

// Property is a named property of an object shape.
type Property struct {
	Name     string
	Shape    *Shape
	Required bool
}

// anything is the shape of an unconstrained location.
func anything() *Shape {
	return &Shape{Types: AnyTypes, MaxLength: -1, MaxItems: -1}
}

// property returns the named property, or nil.
func (sh *Shape) property(name string) *Property {
	for i := range sh.Properties {
		if sh.Properties[i].Name == name {
			return &sh.Properties[i]
		}
	}
	return nil
}

// imputed is the shape the schema gives an unnamed property: the intersection of its matching
// patternProperties, else additionalProperties; nil when neither constrains it.
func (sh *Shape) imputed(name string) *Shape {
	var out *Shape
	for i, re := range sh.PatternRegexps {
		if re.MatchString(name) {
			if out == nil {
				out = sh.PatternProperties[i]
			} else {
				out = intersect(out, sh.PatternProperties[i])
			}
		}
	}
	if out == nil {
		out = sh.AdditionalProperties
	}
	return out
}
