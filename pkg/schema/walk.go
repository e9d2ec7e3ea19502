package schema

// Keywords whose values are sub-schemas, by the shape of the value. Both the draft 2020-12 and the
// 2019-09 spellings Flow accepts are listed, so that walks reach every sub-schema of either dialect.
var (
	schemaMapKeywords = []string{"$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies"}
	schemaKeywords    = []string{"additionalProperties", "propertyNames", "items", "additionalItems", "contains",
		"not", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
	schemaListKeywords = []string{"allOf", "anyOf", "oneOf", "prefixItems", "items"}
)

// walkSchemas calls visit for every schema object reachable from v through sub-schema keywords,
// parents before children, with the JSON pointer of each object relative to v. The context that
// visit returns for an object is passed to the visits of its sub-schemas (e.g. a base URL).
func walkSchemas[C any](v any, ptr string, ctx C, visit func(obj map[string]any, ptr string, ctx C) C) {
	obj, ok := v.(map[string]any)
	if !ok {
		return // boolean schemas have no keywords
	}
	ctx = visit(obj, ptr, ctx)
	for _, kw := range schemaMapKeywords {
		if m, ok := obj[kw].(map[string]any); ok {
			for name, sub := range m {
				walkSchemas(sub, ptr+"/"+kw+"/"+escapeToken(name), ctx, visit)
			}
		}
	}
	for _, kw := range schemaKeywords {
		if sub, ok := obj[kw]; ok {
			walkSchemas(sub, ptr+"/"+kw, ctx, visit)
		}
	}
	for _, kw := range schemaListKeywords {
		if list, ok := obj[kw].([]any); ok {
			for i, sub := range list {
				walkSchemas(sub, ptr+"/"+kw+"/"+itoa(i), ctx, visit)
			}
		}
	}
}
