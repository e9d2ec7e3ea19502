package schema

const draft2020 = "https://json-schema.org/draft/2020-12/schema"

// modernize rewrites the 2019-09 and OpenAPI forms that Flow accepts inside draft 2020-12 schemas
// into their 2020-12 equivalents, so the validator sees one dialect. The caller's value is not
// modified: it returns a deep copy. Documents that declare another `$schema` are left to that draft.
//
//   - `items: [a, b]` + `additionalItems: c` becomes `prefixItems: [a, b]` + `items: c`
//     (`additionalItems` beside a single `items` schema has no effect, as in 2019-09, and is dropped);
//   - `nullable: true` adds "null" to `type`.
//
// `definitions`, `$recursiveRef` and `$recursiveAnchor` need no rewrite: the validator resolves
// pointers into any location and evaluates the recursive keywords in 2020-12 documents too.
func modernize(doc any) any {
	doc = deepCopy(doc)
	if root, ok := doc.(map[string]any); ok {
		if s, ok := root["$schema"].(string); ok && trimEmptyFragment(s) != draft2020 {
			return doc
		}
	}
	walkSchemas(doc, "", struct{}{}, func(obj map[string]any, _ string, _ struct{}) struct{} {
		if tuple, ok := obj["items"].([]any); ok {
			delete(obj, "items")
			obj["prefixItems"] = tuple
			if addl, ok := obj["additionalItems"]; ok {
				obj["items"] = addl
			}
		}
		delete(obj, "additionalItems")
		if nullable, _ := obj["nullable"].(bool); nullable {
			obj["type"] = withNull(obj["type"])
		}
		return struct{}{}
	})
	return doc
}

func trimEmptyFragment(s string) string {
	if n := len(s); n > 0 && s[n-1] == '#' {
		return s[:n-1]
	}
	return s
}

// withNull adds "null" to a `type` keyword value. Without a `type`, every type is already allowed.
func withNull(typ any) any {
	switch t := typ.(type) {
	case string:
		if t == "null" {
			return t
		}
		return []any{t, "null"}
	case []any:
		for _, v := range t {
			if v == "null" {
				return t
			}
		}
		return append(t, "null")
	default:
		return typ
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v // scalars are immutable
	}
}
