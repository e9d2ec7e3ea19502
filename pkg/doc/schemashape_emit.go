package doc

import (
	"encoding/json"
	"strconv"
)

const draft201909 = "https://json-schema.org/draft/2019-09/schema"

// toSchema writes a shape as the JSON schema Flow writes for it (its to_schema): the root names
// draft 2019-09, a shape of no type is `false`, and keywords of a type the shape cannot have are
// left out.
func toSchema(sh *schemaShape) any {
	out := subSchema(sh)
	if m, ok := out.(map[string]any); ok {
		m["$schema"] = draft201909
	}
	return out
}

func subSchema(sh *schemaShape) any {
	if sh.types == typeInvalid {
		return false
	}
	out := map[string]any{}
	if sh.types != typeAny {
		out["type"] = typeValue(sh.types)
	}
	if sh.enum != nil {
		out["enum"] = sh.enum
	}
	putString(out, "title", sh.title)
	putString(out, "description", sh.description)
	if sh.hasDefault {
		out["default"] = sh.dflt
	}
	if sh.types&typeObject != 0 {
		var required []any
		props := map[string]any{}
		for _, p := range sh.properties {
			if p.required {
				required = append(required, p.name)
			}
			props[p.name] = subSchema(p.shape)
		}
		if len(props) > 0 {
			out["properties"] = props
		}
		if required != nil {
			out["required"] = required
		}
		if len(sh.patterns) > 0 {
			pats := map[string]any{}
			for _, p := range sh.patterns {
				pats[p.re.String()] = subSchema(p.shape)
			}
			out["patternProperties"] = pats
		}
		if sh.additionalPro != nil {
			out["additionalProperties"] = subSchema(sh.additionalPro)
		}
	}
	if sh.types&typeArray != 0 {
		putCount(out, "minItems", sh.minItems)
		putMax(out, "maxItems", sh.maxItems)
		switch {
		case len(sh.tuple) > 0:
			items := make([]any, len(sh.tuple))
			for i, t := range sh.tuple {
				items[i] = subSchema(t)
			}
			out["items"] = items
			if sh.additionalItems != nil {
				out["additionalItems"] = subSchema(sh.additionalItems)
			}
		case sh.additionalItems != nil:
			out["items"] = subSchema(sh.additionalItems)
		}
	}
	if sh.types&typeString != 0 {
		putString(out, "contentEncoding", sh.contentEncoding)
		putString(out, "contentMediaType", sh.contentMediaType)
		putString(out, "format", sh.format)
		putCount(out, "minLength", sh.minLength)
		putMax(out, "maxLength", sh.maxLength)
	}
	if sh.types&typeNumber != 0 {
		if sh.minimum != nil {
			out["minimum"] = *sh.minimum
		}
		if sh.maximum != nil {
			out["maximum"] = *sh.maximum
		}
	}
	if sh.secret != nil && *sh.secret {
		out["secret"] = true
	}
	if sh.reduce != nil {
		out["reduce"] = sh.reduce
	}
	for k, v := range sh.annotations {
		out[k] = v
	}
	return out
}

// typeValue is one type name, or an array of them in Flow's order; integer and fractional
// together are "number".
func typeValue(t shapeTypes) any {
	var names []any
	for _, n := range []struct {
		t    shapeTypes
		name string
	}{{typeArray, "array"}, {typeBoolean, "boolean"}, {typeNumber, "number"}, {typeInteger, "integer"},
		{typeFractional, "number"}, {typeNull, "null"}, {typeObject, "object"}, {typeString, "string"}} {
		if t&n.t == n.t {
			names = append(names, n.name)
			t &^= n.t
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return names
}

func putString(out map[string]any, kw string, s *string) {
	if s != nil {
		out[kw] = *s
	}
}

// putCount writes a lower bound that is not the default 0.
func putCount(out map[string]any, kw string, n int64) {
	if n != 0 {
		out[kw] = json.Number(strconv.FormatInt(n, 10))
	}
}

func putMax(out map[string]any, kw string, n *int64) {
	if n != nil {
		out[kw] = json.Number(strconv.FormatInt(*n, 10))
	}
}
