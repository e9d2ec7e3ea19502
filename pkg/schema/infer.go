package schema

import (
	"regexp"
	"sort"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Shape returns the static inference of the schema, computed on first use.
func (s *Schema) Shape() *Shape {
	s.shapeOnce.Do(func() {
		s.shape = infer(s.compiled, map[*jsonschema.Schema]bool{})
	})
	return s.shape
}

// infer maps one compiled schema to its shape. visiting holds the `$ref` targets being inferred
// on the current path, to cut recursion.
func infer(s *jsonschema.Schema, visiting map[*jsonschema.Schema]bool) *Shape {
	sh := anything()
	if s.Bool != nil {
		if !*s.Bool {
			sh.Types = NoTypes
		}
		return sh
	}
	inferLocal(s, sh, visiting)

	// In-place applicators, as Flow orders them: references and allOf intersect directly,
	// then the union of the oneOf branches, of the anyOf branches, and of then/else.
	for _, ref := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, dynamicTarget(s)} {
		if ref == nil {
			continue
		}
		referent := anything()
		if !visiting[ref] {
			visiting[ref] = true
			referent = infer(ref, visiting)
			delete(visiting, ref)
		}
		sh = intersect(sh, referent)
	}
	for _, sub := range s.AllOf {
		sh = intersect(sh, infer(sub, visiting))
	}
	for _, branches := range [][]*jsonschema.Schema{s.OneOf, s.AnyOf} {
		if u := unionOf(branches, visiting); u != nil {
			sh = intersect(sh, u)
		}
	}
	switch {
	case s.If != nil && s.If.Bool != nil:
		// A constant `if` always selects one branch (the validator compiles only that one).
		branch := s.Else
		if *s.If.Bool {
			branch = s.Then
		}
		if branch != nil {
			sh = intersect(sh, infer(branch, visiting))
		}
	case s.If != nil && s.Then != nil && s.Else != nil:
		sh = intersect(sh, union(infer(s.Then, visiting), infer(s.Else, visiting)))
	}
	if s.UnevaluatedProperties != nil && sh.AdditionalProperties == nil {
		sh.AdditionalProperties = infer(s.UnevaluatedProperties, visiting)
	}
	if s.UnevaluatedItems != nil && sh.Items == nil {
		sh.Items = infer(s.UnevaluatedItems, visiting)
	}
	return sh
}

func dynamicTarget(s *jsonschema.Schema) *jsonschema.Schema {
	if s.DynamicRef == nil {
		return nil
	}
	return s.DynamicRef.Ref
}

func unionOf(branches []*jsonschema.Schema, visiting map[*jsonschema.Schema]bool) *Shape {
	var out *Shape
	for _, b := range branches {
		if sh := infer(b, visiting); out == nil {
			out = sh
		} else {
			out = union(out, sh)
		}
	}
	return out
}

// inferLocal fills sh from the schema's own keywords (not its in-place applicators).
func inferLocal(s *jsonschema.Schema, sh *Shape, visiting map[*jsonschema.Schema]bool) {
	if s.Types != nil {
		sh.Types = typesFromNames(s.Types.ToStrings())
	}
	if s.Enum != nil {
		sh.Enum = append([]any(nil), s.Enum.Values...)
	}
	if s.Const != nil {
		sh.Enum = []any{*s.Const}
	}
	sh.Title, sh.Description, sh.Anchor = s.Title, s.Description, s.Anchor
	if s.Default != nil {
		sh.Default, sh.HasDefault = *s.Default, true
		if err := s.Validate(*s.Default); err != nil {
			sh.defaultErr = newValidationError(err)
		}
	}
	if s.Format != nil {
		sh.Format = s.Format.Name
	}
	if s.MaxLength != nil {
		sh.MaxLength = *s.MaxLength
	}
	if s.MinLength != nil {
		sh.MinLength = *s.MinLength
	}
	if kw := keywordsOf(s); kw != nil {
		sh.Reduce, sh.ContentEncoding, sh.Secret = kw.reduce, kw.contentEncoding, kw.secret
	}

	// Arrays.
	if s.MinItems != nil {
		sh.MinItems = *s.MinItems
	}
	if s.MaxItems != nil {
		sh.MaxItems = *s.MaxItems
	}
	for _, sub := range s.PrefixItems {
		sh.Tuple = append(sh.Tuple, infer(sub, visiting))
	}
	if s.Items2020 != nil {
		sh.Items = infer(s.Items2020, visiting)
	}
	switch items := s.Items.(type) { // drafts before 2020-12
	case []*jsonschema.Schema:
		for _, sub := range items {
			sh.Tuple = append(sh.Tuple, infer(sub, visiting))
		}
		sh.Items = additional(s.AdditionalItems, visiting)
	case *jsonschema.Schema:
		sh.Items = infer(items, visiting)
	}

	// Objects.
	names := make([]string, 0, len(s.Properties)+len(s.Required))
	for name := range s.Properties {
		names = append(names, name)
	}
	for _, name := range s.Required {
		if _, ok := s.Properties[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	required := map[string]bool{}
	for _, name := range s.Required {
		required[name] = true
	}
	for i, name := range names {
		if i > 0 && names[i-1] == name {
			continue // listed twice in `required`
		}
		prop := Property{Name: name, Shape: anything(), Required: required[name]}
		if sub, ok := s.Properties[name]; ok {
			prop.Shape = infer(sub, visiting)
		}
		sh.Properties = append(sh.Properties, prop)
	}
	patterns := make([]jsonschema.Regexp, 0, len(s.PatternProperties))
	for re := range s.PatternProperties {
		patterns = append(patterns, re)
	}
	sort.Slice(patterns, func(i, j int) bool { return patterns[i].String() < patterns[j].String() })
	for _, re := range patterns {
		compiled, err := regexp.Compile(re.String())
		if err != nil {
			continue // the validator accepted it, so only an engine difference; skip the inference
		}
		sh.PatternRegexps = append(sh.PatternRegexps, compiled)
		sh.PatternProperties = append(sh.PatternProperties, infer(s.PatternProperties[re], visiting))
	}
	sh.AdditionalProperties = additional(s.AdditionalProperties, visiting)

	// Patterns also constrain the named properties they match.
	for i := range sh.Properties {
		for j, re := range sh.PatternRegexps {
			if re.MatchString(sh.Properties[i].Name) {
				sh.Properties[i].Shape = intersect(sh.Properties[i].Shape, sh.PatternProperties[j])
			}
		}
	}
	restrictEnum(sh)
}

// additional infers an additionalProperties/additionalItems value: nil, a boolean, or a schema.
func additional(v any, visiting map[*jsonschema.Schema]bool) *Shape {
	switch t := v.(type) {
	case bool:
		sh := anything()
		if !t {
			sh.Types = NoTypes
		}
		return sh
	case *jsonschema.Schema:
		return infer(t, visiting)
	}
	return nil
}

// restrictEnum keeps the enum values whose types are allowed, and the types that some value has.
func restrictEnum(sh *Shape) {
	if sh.Enum == nil {
		return
	}
	kept := sh.Enum[:0:0]
	var types Types
	for _, v := range sh.Enum {
		t := typeOf(v)
		if t == Integer && sh.Types&Integer == 0 && sh.Types&Fractional != 0 {
			t = Fractional // an integral value is a valid "number" too
		}
		if sh.Types&t != 0 {
			kept = append(kept, v)
			types |= t
		}
	}
	sh.Enum, sh.Types = kept, sh.Types&types
}
