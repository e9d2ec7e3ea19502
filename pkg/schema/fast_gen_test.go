package schema

import (
	"encoding/json"
	"math/rand/v2"
)

// schemaGen builds random schemas over the keywords of the fast path (and, rarely, keywords it
// leaves to the library), and random documents over the same small pools of names and values, so
// that a good share of documents is valid and the rest fail in varied ways.
type schemaGen struct {
	rng *rand.Rand
}

var (
	genNames   = []string{"a", "b", "c", "d1"}
	genNumbers = []string{"0", "1", "-1", "2", "3", "1.5", "2.0", "1e1", "0.5", "-2.5", "100", "18446744073709551615", "1.0000000000000000001"}
	genStrings = []string{"", "a", "ab", "abc", "b1", "日本x", "2026-11-21T10:00:00Z", "df518555-34f0-446a-8788-7b36f607bbea", "1234", "P1D"}
	genTypes   = []string{"null", "boolean", "number", "integer", "string", "array", "object"}
	genFormats = []string{"date-time", "uuid", "integer", "duration", "email", "date"}
	genRegexps = []string{"^a", "b$", "[0-9]", "^.$"}
)

func (g *schemaGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *schemaGen) number() json.Number { return json.Number(g.pick(genNumbers)) }

// document returns a random root schema with $defs that sub-schemas may reference.
func (g *schemaGen) document() any {
	root := g.schema(3)
	obj, ok := root.(map[string]any)
	if !ok {
		return root
	}
	obj["$defs"] = map[string]any{"d0": g.schema(2), "d1": g.schema(2)}
	return obj
}

func (g *schemaGen) schema(depth int) any {
	if depth == 0 || g.rng.IntN(12) == 0 {
		if g.rng.IntN(3) == 0 {
			return g.rng.IntN(4) != 0 // mostly `true`
		}
		return map[string]any{}
	}
	s := map[string]any{}
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		g.keyword(s, depth-1)
	}
	return s
}

func (g *schemaGen) keyword(s map[string]any, depth int) {
	switch g.rng.IntN(30) {
	case 0, 1:
		if g.rng.IntN(2) == 0 {
			s["type"] = g.pick(genTypes)
		} else {
			s["type"] = []any{g.pick(genTypes), g.pick(genTypes)}
		}
	case 2, 3:
		props := map[string]any{}
		for _, name := range genNames[:1+g.rng.IntN(len(genNames))] {
			props[name] = g.schema(depth)
		}
		s["properties"] = props
	case 4:
		s["required"] = []any{g.pick(genNames), g.pick(genNames)[:1]}
	case 5:
		if g.rng.IntN(2) == 0 {
			s["additionalProperties"] = g.rng.IntN(2) == 0
		} else {
			s["additionalProperties"] = g.schema(depth)
		}
	case 6:
		s["patternProperties"] = map[string]any{g.pick(genRegexps): g.schema(depth)}
	case 7:
		s["items"] = g.schema(depth)
	case 8:
		s["prefixItems"] = []any{g.schema(depth), g.schema(depth)}
	case 9:
		s["minItems"], s["maxItems"] = g.rng.IntN(2), 1+g.rng.IntN(3)
	case 10:
		s["uniqueItems"] = true
	case 11:
		s["enum"] = []any{g.value(1), g.value(1), g.number()}
	case 12:
		s["const"] = g.value(1)
	case 13:
		s[g.pick([]string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})] = g.number()
	case 14:
		s["multipleOf"] = json.Number(g.pick([]string{"2", "0.5", "3", "0.1"}))
	case 15:
		s["minLength"], s["maxLength"] = g.rng.IntN(2), 1+g.rng.IntN(3)
	case 16:
		s["pattern"] = g.pick(genRegexps)
	case 17:
		s["format"] = g.pick(genFormats)
	case 18:
		// "#" in place loops (left to the library); under a property it recurses.
		s["$ref"] = g.pick([]string{"#/$defs/d0", "#/$defs/d1", "#"})
	case 19, 20:
		kw := g.pick([]string{"allOf", "anyOf", "oneOf"})
		s[kw] = []any{g.schema(depth), g.schema(depth)}
	case 21:
		s["not"] = g.schema(depth)
	case 22:
		s["if"], s["then"] = g.schema(depth), g.schema(depth)
		if g.rng.IntN(2) == 0 {
			s["else"] = g.schema(depth)
		}
	case 23:
		s["dependentRequired"] = map[string]any{g.pick(genNames): []any{g.pick(genNames)}}
	case 24:
		s["propertyNames"] = g.schema(depth)
	case 25:
		s["minProperties"], s["maxProperties"] = g.rng.IntN(2), 1+g.rng.IntN(3)
	case 26, 27:
		s["reduce"] = map[string]any{"strategy": g.pick([]string{"sum", "merge", "maximize", "append"})}
	case 28:
		s["dependencies"] = map[string]any{g.pick(genNames): []any{g.pick(genNames)}}
	case 29: // keywords the fast path leaves to the library
		kw := g.pick([]string{"contains", "unevaluatedProperties", "dependentSchemas", "$dynamicRef"})
		switch kw {
		case "dependentSchemas":
			s[kw] = map[string]any{g.pick(genNames): g.schema(depth)}
		case "$dynamicRef":
			s[kw] = "#"
		default:
			s[kw] = g.schema(depth)
		}
	}
}

// value returns a random document value.
func (g *schemaGen) value(depth int) any {
	n := 6
	if depth > 0 {
		n = 9
	}
	switch g.rng.IntN(n) {
	case 0:
		return nil
	case 1:
		return g.rng.IntN(2) == 0
	case 2, 3:
		return g.number()
	case 4, 5:
		return g.pick(genStrings)
	case 6:
		arr := make([]any, g.rng.IntN(4))
		for i := range arr {
			arr[i] = g.value(depth - 1)
		}
		return arr
	default:
		obj := map[string]any{}
		for _, name := range genNames {
			if g.rng.IntN(2) == 0 {
				obj[name] = g.value(depth - 1)
			}
		}
		return obj
	}
}
