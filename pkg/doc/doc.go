// Package doc holds flowctl's document model: JSON values, JSON pointers, Flow's total order of
// values, key extraction and packing, the `reduce` strategies, and the Combiner that reduces a
// stream of documents by key under a memory bound.
//
// A value is what encoding/json decodes with UseNumber: nil, bool, json.Number, string, []any and
// map[string]any. Numbers keep their literal text; Flow's rules decide whether one is an unsigned
// integer, a signed integer or a float (see number.go).
package doc
