package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// FileField is a value of a spec that Flow lets name a file instead of holding the content: a
// collection schema, a connector config, a binding resource, a SQLite migration, a TypeScript or
// Python module, a lambda, or a test step's documents.
type FileField struct {
	// Pointer locates the value inside the spec.
	Pointer string
	// Schema tells a collection schema (any string names a schema file, with an optional fragment)
	// from the other values (only a string without whitespace names a file).
	Schema bool
	Value  any
	// Set replaces the value in the spec.
	Set func(any)
}

// NamesFile reports whether the value names a file rather than holding content, by Flow's rule.
func (f FileField) NamesFile() bool {
	s, ok := f.Value.(string)
	if !ok || s == "" {
		return false
	}
	return f.Schema || strings.IndexFunc(s, unicode.IsSpace) < 0
}

// FileFields lists the file-or-inline values of a decoded spec, in a stable order. The client inlines
// them before drafting; the server refuses specs that still name files, as it cannot read the
// author's files and must never read its own.
func FileFields(t SpecType, spec any) []FileField {
	var out []FileField
	add := func(obj map[string]any, key, ptr string, schema bool) {
		if v, ok := obj[key]; ok {
			out = append(out, FileField{Pointer: ptr, Schema: schema, Value: v, Set: func(nv any) { obj[key] = nv }})
		}
	}
	obj, _ := spec.(map[string]any)
	switch t {
	case Collection:
		for _, f := range []string{"schema", "writeSchema", "readSchema"} {
			add(obj, f, "/"+f, true)
		}
		if d, ok := obj["derive"].(map[string]any); ok {
			out = append(out, deriveFields(d)...)
		}
	case Capture, Materialization:
		endpoint, _ := obj["endpoint"].(map[string]any)
		for _, kind := range slices.Sorted(maps.Keys(endpoint)) {
			if e, ok := endpoint[kind].(map[string]any); ok {
				add(e, "config", "/endpoint/"+kind+"/config", false)
			}
		}
		bindings, _ := obj["bindings"].([]any)
		for i, b := range bindings {
			if m, ok := b.(map[string]any); ok {
				add(m, "resource", fmt.Sprintf("/bindings/%d/resource", i), false)
			}
		}
	case Test:
		steps, base := spec, ""
		if obj != nil {
			steps, base = obj["steps"], "/steps"
		}
		list, _ := steps.([]any)
		for i, st := range list {
			step, _ := st.(map[string]any)
			for _, kind := range []string{"ingest", "verify"} {
				if m, ok := step[kind].(map[string]any); ok {
					add(m, "documents", fmt.Sprintf("%s/%d/%s/documents", base, i, kind), false)
				}
			}
		}
	}
	return out
}

func deriveFields(d map[string]any) []FileField {
	var out []FileField
	add := func(obj map[string]any, key, ptr string) {
		if v, ok := obj[key]; ok {
			out = append(out, FileField{Pointer: ptr, Value: v, Set: func(nv any) { obj[key] = nv }})
		}
	}
	using, _ := d["using"].(map[string]any)
	if sqlite, ok := using["sqlite"].(map[string]any); ok {
		migrations, _ := sqlite["migrations"].([]any)
		for i := range migrations {
			out = append(out, FileField{Pointer: fmt.Sprintf("/derive/using/sqlite/migrations/%d", i), Value: migrations[i],
				Set: func(nv any) { migrations[i] = nv }})
		}
	}
	for _, kind := range []string{"typescript", "python"} {
		if m, ok := using[kind].(map[string]any); ok {
			add(m, "module", "/derive/using/"+kind+"/module")
		}
	}
	for _, kind := range []string{"connector", "local"} {
		if m, ok := using[kind].(map[string]any); ok {
			add(m, "config", "/derive/using/"+kind+"/config")
		}
	}
	transforms, _ := d["transforms"].([]any)
	for i, tr := range transforms {
		m, ok := tr.(map[string]any)
		if !ok {
			continue
		}
		add(m, "lambda", fmt.Sprintf("/derive/transforms/%d/lambda", i))
		if sh, ok := m["shuffle"].(map[string]any); ok {
			add(sh, "lambda", fmt.Sprintf("/derive/transforms/%d/shuffle/lambda", i))
		}
	}
	return out
}
