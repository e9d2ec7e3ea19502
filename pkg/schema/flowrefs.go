package schema

// The URLs a collection's readSchema may `$ref` to reach schemas Flow provides for that collection.
const (
	WriteSchemaURL        = "flow://write-schema"
	RelaxedWriteSchemaURL = "flow://relaxed-write-schema"
	InferredSchemaURL     = "flow://inferred-schema"
)

// InferredSchemaPlaceholder returns the schema Flow puts at flow://inferred-schema until the
// collection has an inferred schema. It requires `_meta.inferredSchemaIsNotAvailable` to be true,
// which no real document carries, so reading under it fails until inference exists.
func InferredSchemaPlaceholder() map[string]any {
	return map[string]any{
		"properties": map[string]any{
			"_meta": map[string]any{
				"properties": map[string]any{
					"inferredSchemaIsNotAvailable": map[string]any{
						"const": true,
						"description": "An inferred schema is not yet available because no documents have been written to this collection.\n" +
							"This place-holder causes document validations to fail at read time, so that the task can be updated once an inferred schema is ready.",
					},
				},
				"required": []any{"inferredSchemaIsNotAvailable"},
			},
		},
		"required": []any{"_meta"},
	}
}

// relaxedKeywords are the keywords Flow's relaxation removes; relaxedSingle, relaxedMaps and
// relaxedLists are where it recurses (crates/models/src/schemas.rs, RelaxedSchema). Other
// sub-schemas (anyOf, oneOf, patternProperties, prefixItems, ...) are kept as they are.
var (
	relaxedKeywords = []string{"type", "required", "format"}
	relaxedSingle   = []string{"items", "additionalItems", "additionalProperties"}
	relaxedMaps     = []string{"$defs", "definitions", "properties"}
	relaxedLists    = []string{"allOf", "items"}
)

// Relax returns a copy of a schema without `type`, `required` and `format` in the root and in the
// sub-schemas Flow relaxes, so that the write schema intersected with an inferred schema accepts
// what inference saw (Flow's flow://relaxed-write-schema). The input is not modified.
func Relax(doc any) any {
	switch v := doc.(type) {
	case []any:
		out := make([]any, len(v))
		for i, sub := range v {
			out[i] = Relax(sub)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, sub := range v {
			out[k] = sub
		}
		for _, k := range relaxedKeywords {
			delete(out, k)
		}
		for _, k := range relaxedSingle {
			if sub, ok := v[k].(map[string]any); ok {
				out[k] = Relax(sub)
			}
		}
		for _, k := range relaxedLists {
			if list, ok := v[k].([]any); ok {
				out[k] = Relax(list)
			}
		}
		for _, k := range relaxedMaps {
			if m, ok := v[k].(map[string]any); ok {
				relaxed := make(map[string]any, len(m))
				for name, sub := range m {
					relaxed[name] = Relax(sub)
				}
				out[k] = relaxed
			}
		}
		return out
	}
	return doc
}
