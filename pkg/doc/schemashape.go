package doc

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// schemaShape is what jsonSchemaMerge knows of a JSON schema: Flow's Shape restricted to what a
// schema can say about each location and what inferred schemas contain. It is private to the
// strategy: pkg/schema's Shape is inferred from compiled schemas and has no way back to JSON.
// Keywords it does not model (pattern, allOf, $ref, ...) are dropped, which only widens.
type schemaShape struct {
	types       shapeTypes
	enum        []any // sorted by Compare; nil: unconstrained
	title       *string
	description *string
	dflt        any
	hasDefault  bool
	secret      *bool
	reduce      any            // the `reduce` keyword's value; nil: unset
	annotations map[string]any // x-* keywords

	// string facets
	format, contentEncoding, contentMediaType *string
	minLength                                 int64
	maxLength                                 *int64
	// numeric facets
	minimum, maximum *json.Number
	// array facets
	minItems        int64
	maxItems        *int64
	tuple           []*schemaShape
	additionalItems *schemaShape // nil: unconstrained
	// object facets
	properties    []shapeProperty // sorted by name
	patterns      []shapePattern  // sorted by regular expression
	additionalPro *schemaShape    // nil: unconstrained
}

type shapeProperty struct {
	name     string
	required bool
	shape    *schemaShape
}

type shapePattern struct {
	re    *regexp.Regexp
	shape *schemaShape
}

// shapeTypes is a set of JSON types; integer and fractional numbers are distinct, and the schema
// type "number" is both.
type shapeTypes uint8

const (
	typeArray shapeTypes = 1 << iota
	typeBoolean
	typeInteger
	typeFractional
	typeNull
	typeObject
	typeString

	typeNumber  = typeInteger | typeFractional
	typeAny     = typeArray | typeBoolean | typeNumber | typeNull | typeObject | typeString
	typeInvalid = shapeTypes(0)
)

var typeNames = map[string]shapeTypes{
	"array": typeArray, "boolean": typeBoolean, "integer": typeInteger, "null": typeNull,
	"number": typeNumber, "object": typeObject, "string": typeString,
}

func anyShape() *schemaShape     { return &schemaShape{types: typeAny} }
func nothingShape() *schemaShape { return &schemaShape{types: typeInvalid} }

// schemaError says which keyword of which sub-schema is not a valid schema.
type schemaError struct {
	ptr, keyword, detail string
}

func (e *schemaError) Error() string {
	at := e.ptr
	if at == "" {
		at = "the root"
	}
	if e.keyword == "" {
		return fmt.Sprintf("at %s: %s", at, e.detail)
	}
	return fmt.Sprintf("at keyword %q of %s: %s", e.keyword, at, e.detail)
}

// parseSchemaShape reads a schema (a boolean or an object) into a shape. ptr locates it within
// the root schema, for errors (the reduction's error says where the root schema is).
func parseSchemaShape(v any, ptr string) (*schemaShape, error) {
	switch v := v.(type) {
	case bool:
		if v {
			return anyShape(), nil
		}
		return nothingShape(), nil
	case map[string]any:
		return parseSchemaObject(v, ptr)
	}
	return nil, &schemaError{ptr: ptr, detail: "expected a schema (an object or a boolean)"}
}

func parseSchemaObject(m map[string]any, ptr string) (*schemaShape, error) {
	sh := anyShape()
	fail := func(kw, detail string, args ...any) error {
		return &schemaError{ptr: ptr, keyword: kw, detail: fmt.Sprintf(detail, args...)}
	}
	for _, kw := range sortedKeys(m) { // sorted: the first error is deterministic
		v := m[kw]
		var err error
		switch kw {
		case "type":
			sh.types, err = parseTypes(v)
			if err != nil {
				return nil, fail(kw, "%v", err)
			}
		case "enum":
			items, ok := v.([]any)
			if !ok {
				return nil, fail(kw, "expected an array of values")
			}
			sh.enum = sortedUnique(items)
		case "const":
			sh.enum = []any{v}
		case "title", "description", "format", "contentEncoding", "contentMediaType":
			s, ok := v.(string)
			if !ok {
				return nil, fail(kw, "expected a string")
			}
			*sh.stringField(kw) = &s
		case "default":
			sh.dflt, sh.hasDefault = v, true
		case "secret", "airbyte_secret":
			b, ok := v.(bool)
			if !ok {
				return nil, fail(kw, "expected a boolean")
			}
			sh.secret = &b
		case "reduce":
			sh.reduce = v
		case "minLength", "minItems":
			n, ok := nonNegativeInt(v)
			if !ok {
				return nil, fail(kw, "expected a non-negative integer")
			}
			if kw == "minLength" {
				sh.minLength = n
			} else {
				sh.minItems = n
			}
		case "maxLength", "maxItems":
			n, ok := nonNegativeInt(v)
			if !ok {
				return nil, fail(kw, "expected a non-negative integer")
			}
			if kw == "maxLength" {
				sh.maxLength = &n
			} else {
				sh.maxItems = &n
			}
		case "minimum", "maximum":
			n, ok := v.(json.Number)
			if !ok {
				return nil, fail(kw, "expected a number")
			}
			if kw == "minimum" {
				sh.minimum = &n
			} else {
				sh.maximum = &n
			}
		case "properties":
			err = sh.parseProperties(v, ptr)
		case "patternProperties":
			err = sh.parsePatterns(v, ptr)
		case "additionalProperties":
			sh.additionalPro, err = parseSchemaShape(v, ptr+"/additionalProperties")
		case "items":
			err = sh.parseItems(v, ptr)
		case "additionalItems":
			sh.additionalItems, err = parseSchemaShape(v, ptr+"/additionalItems")
		case "required":
			err = sh.parseRequired(v, ptr)
		default:
			if strings.HasPrefix(kw, "x-") {
				if sh.annotations == nil {
					sh.annotations = map[string]any{}
				}
				sh.annotations[kw] = v
			}
		}
		if err != nil {
			return nil, err
		}
	}
	// `required` may precede `properties`; mark required properties once both are read.
	if req, ok := m["required"].([]any); ok {
		for _, name := range req {
			sh.requireProperty(name.(string))
		}
	}
	if sh.enum != nil {
		// An enum restricts the types to those of its values, as Flow's inference does.
		var enumTypes shapeTypes
		for _, v := range sh.enum {
			enumTypes |= typeOfValue(v)
		}
		sh.types &= enumTypes
	}
	return sh, nil
}

func (sh *schemaShape) stringField(kw string) **string {
	switch kw {
	case "title":
		return &sh.title
	case "description":
		return &sh.description
	case "format":
		return &sh.format
	case "contentEncoding":
		return &sh.contentEncoding
	}
	return &sh.contentMediaType
}

func parseTypes(v any) (shapeTypes, error) {
	var names []any
	switch v := v.(type) {
	case string:
		names = []any{v}
	case []any:
		names = v
	default:
		return 0, fmt.Errorf("expected a type or array of types")
	}
	var out shapeTypes
	for _, n := range names {
		s, _ := n.(string)
		t, ok := typeNames[s]
		if !ok {
			return 0, fmt.Errorf("expected a type or array of types: invalid type name %s", excerpt(n))
		}
		out |= t
	}
	return out, nil
}

func (sh *schemaShape) parseProperties(v any, ptr string) error {
	props, ok := v.(map[string]any)
	if !ok {
		return &schemaError{ptr: ptr, keyword: "properties", detail: "expected an object of schemas"}
	}
	for _, name := range sortedKeys(props) {
		child, err := parseSchemaShape(props[name], ptr+"/properties/"+escapeToken(name))
		if err != nil {
			return err
		}
		sh.properties = append(sh.properties, shapeProperty{name: name, shape: child})
	}
	return nil
}

func (sh *schemaShape) parsePatterns(v any, ptr string) error {
	pats, ok := v.(map[string]any)
	if !ok {
		return &schemaError{ptr: ptr, keyword: "patternProperties", detail: "expected an object of schemas"}
	}
	for _, src := range sortedKeys(pats) {
		re, err := regexp.Compile(src)
		if err != nil {
			return &schemaError{ptr: ptr, keyword: "patternProperties", detail: fmt.Sprintf("invalid regular expression %q: %v", src, err)}
		}
		child, err := parseSchemaShape(pats[src], ptr+"/patternProperties/"+escapeToken(src))
		if err != nil {
			return err
		}
		sh.patterns = append(sh.patterns, shapePattern{re: re, shape: child})
	}
	return nil
}

func (sh *schemaShape) parseItems(v any, ptr string) error {
	items, ok := v.([]any)
	if !ok { // one schema for every item
		var err error
		sh.additionalItems, err = parseSchemaShape(v, ptr+"/items")
		return err
	}
	for i, item := range items {
		child, err := parseSchemaShape(item, fmt.Sprintf("%s/items/%d", ptr, i))
		if err != nil {
			return err
		}
		sh.tuple = append(sh.tuple, child)
	}
	return nil
}

func (sh *schemaShape) parseRequired(v any, ptr string) error {
	names, ok := v.([]any)
	if ok {
		for _, n := range names {
			if _, ok = n.(string); !ok {
				break
			}
		}
	}
	if !ok {
		return &schemaError{ptr: ptr, keyword: "required", detail: "expected an array of property names"}
	}
	return nil
}

// requireProperty marks a property required, adding it (unconstrained) if the schema names it
// only in `required`, as Flow's inference does.
func (sh *schemaShape) requireProperty(name string) {
	i, found := slices.BinarySearchFunc(sh.properties, name, func(p shapeProperty, n string) int {
		return strings.Compare(p.name, n)
	})
	if !found {
		sh.properties = slices.Insert(sh.properties, i, shapeProperty{name: name, shape: sh.imputed(name)})
	}
	sh.properties[i].required = true
}

// imputed is the shape a property not named in `properties` has: that of the first matching
// pattern, else additionalProperties, else nil (unconstrained). Flow intersects every matching
// pattern; the first alone is a superset of that, so a union with it stays sound.
func (sh *schemaShape) imputed(name string) *schemaShape {
	for _, p := range sh.patterns {
		if p.re.MatchString(name) {
			return p.shape
		}
	}
	if sh.additionalPro == nil {
		return anyShape()
	}
	return sh.additionalPro
}

func nonNegativeInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	num := node.ParseNumber(string(n))
	switch f := num.Float(); {
	case num.Kind() == node.PosInt && num.Uint() <= 1<<53:
		return int64(num.Uint()), true
	case num.Kind() == node.Float && f >= 0 && f <= 1<<53 && f == float64(int64(f)):
		return int64(f), true
	}
	return 0, false
}

func typeOfValue(v any) shapeTypes {
	switch v := v.(type) {
	case nil:
		return typeNull
	case bool:
		return typeBoolean
	case json.Number:
		if node.ParseNumber(string(v)).Kind() == node.Float {
			return typeFractional
		}
		return typeInteger
	case string:
		return typeString
	case []any:
		return typeArray
	}
	return typeObject
}

func sortedUnique(vs []any) []any {
	out := slices.Clone(vs)
	slices.SortFunc(out, Compare)
	return slices.CompactFunc(out, func(a, b any) bool { return Compare(a, b) == 0 })
}
