package catalog

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Bundle returns the catalog as one self-contained JSON value: the entities of every imported file
// merged, `import` dropped, values given by file name replaced by the files' content, and each
// schema inlined with every schema file it references embedded under `$defs` by its URL (as `$id`).
// Files that could not be loaded stay as their absolute URLs, as Flow leaves them.
func Bundle(cat *Catalog) map[string]any {
	copies := map[string]map[string]any{}
	for u, r := range cat.Resources {
		if obj, ok := r.Content.(map[string]any); ok && r.Kind == KindCatalog {
			copies[u] = deepCopy(obj).(map[string]any)
		}
	}
	set := func(p Position, v any) {
		if root, ok := copies[p.URL]; ok {
			setPointer(root, p.Pointer, v)
		}
	}
	for _, f := range fileValues(cat) {
		if f.URL == "" {
			continue
		}
		if f.Value != nil {
			set(f.Scope, f.Value)
		} else {
			set(f.Scope, f.URL)
		}
	}
	for _, c := range cat.Collections {
		for _, s := range []*SchemaRef{c.Schema, c.WriteSchema, c.ReadSchema} {
			if s != nil {
				set(s.Scope, bundleSchema(cat, s))
			}
		}
	}
	out := map[string]any{}
	urls := slices.Sorted(maps.Keys(copies))
	for _, u := range urls {
		for _, section := range []string{"collections", "captures", "materializations", "tests", "storageMappings"} {
			entries, ok := copies[u][section].(map[string]any)
			if !ok {
				continue
			}
			merged, _ := out[section].(map[string]any)
			if merged == nil {
				merged = map[string]any{}
				out[section] = merged
			}
			for name, v := range entries {
				merged[name] = v
			}
		}
	}
	return out
}

// bundleSchema inlines a collection schema with the schema files it reaches.
func bundleSchema(cat *Catalog, s *SchemaRef) any {
	defs := map[string]any{}
	var root any
	if s.IsInline {
		obj, ok := deepCopy(s.Inline).(map[string]any)
		if !ok {
			return s.Inline // true or false
		}
		if _, has := obj["$id"]; !has {
			obj["$id"] = s.URL // keeps relative $refs resolving as they did in the file
		}
		collectSchemaFiles(cat, obj, s.URL, defs)
		root = obj
	} else {
		base, _, _ := strings.Cut(s.URL, "#")
		collectSchemaFiles(cat, nil, base, defs)
		root = map[string]any{"$ref": s.URL}
	}
	if len(defs) == 0 {
		return root
	}
	obj := root.(map[string]any)
	existing, _ := obj["$defs"].(map[string]any)
	merged := map[string]any{}
	for k, v := range existing {
		merged[k] = v
	}
	for k, v := range defs {
		merged[k] = v
	}
	obj["$defs"] = merged
	return obj
}

// collectSchemaFiles adds to defs every loaded schema file reachable from doc (or, when doc is nil,
// from the file at base itself), each as a copy with its URL as `$id`.
func collectSchemaFiles(cat *Catalog, doc any, base string, defs map[string]any) {
	var visit func(u string)
	addRefs := func(v any, from string) {
		b, err := url.Parse(from)
		if err != nil {
			return
		}
		for _, ref := range schemaRefs(v, b) {
			visit(ref)
		}
	}
	visit = func(u string) {
		r, ok := cat.Resources[u]
		if _, seen := defs[u]; seen || !ok || r.Kind != KindJSONSchema {
			return
		}
		c := deepCopy(r.Content)
		if obj, ok := c.(map[string]any); ok {
			if _, has := obj["$id"]; !has {
				obj["$id"] = u
			}
		}
		defs[u] = c
		addRefs(r.Content, u)
	}
	if doc == nil {
		visit(base)
		return
	}
	addRefs(doc, base)
}

// schemaRefs lists the resources (URLs without fragment) that a schema's $refs name.
func schemaRefs(v any, base *url.URL) []string {
	var out []string
	var walk func(v any, base *url.URL)
	walk = func(v any, base *url.URL) {
		switch t := v.(type) {
		case map[string]any:
			if id, ok := t["$id"].(string); ok {
				if u, err := base.Parse(id); err == nil {
					base = u
				}
			}
			for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
				if ref, ok := t[kw].(string); ok {
					if u, err := base.Parse(ref); err == nil {
						u.Fragment, u.RawFragment = "", ""
						out = append(out, u.String())
					}
				}
			}
			for k, child := range t {
				if !nonSchemaKeywords[k] {
					walk(child, base)
				}
			}
		case []any:
			for _, child := range t {
				walk(child, base)
			}
		}
	}
	walk(v, base)
	sort.Strings(out)
	return out
}

// fileValues lists every value of the catalog that may name a file.
func fileValues(cat *Catalog) []*FileOrInline {
	var out []*FileOrInline
	add := func(fs ...*FileOrInline) {
		for _, f := range fs {
			if f != nil {
				out = append(out, f)
			}
		}
	}
	endpoint := func(e Endpoint) {
		if e.Connector != nil {
			add(e.Connector.Config)
		}
		if e.Local != nil {
			add(e.Local.Config)
		}
	}
	for _, c := range cat.Collections {
		if d := c.Derive; d != nil {
			if s := d.Using.SQLite; s != nil {
				add(s.Migrations...)
			}
			for _, m := range []*Module{d.Using.TypeScript, d.Using.Python} {
				if m != nil {
					add(m.Module)
				}
			}
			endpoint(Endpoint{Connector: d.Using.Connector, Local: d.Using.Local})
			for _, t := range d.Transforms {
				add(t.Lambda)
				if t.Shuffle != nil {
					add(t.Shuffle.Lambda)
				}
			}
		}
	}
	for _, c := range cat.Captures {
		endpoint(c.Endpoint)
		for _, b := range c.Bindings {
			add(b.Resource)
		}
	}
	for _, m := range cat.Materializations {
		endpoint(m.Endpoint)
		for _, b := range m.Bindings {
			add(b.Resource)
		}
	}
	for _, t := range cat.Tests {
		for _, s := range t.Steps {
			add(s.Documents)
		}
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, c := range t {
			out[k] = deepCopy(c)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, c := range t {
			out[i] = deepCopy(c)
		}
		return out
	}
	return v
}

// setPointer replaces the value at an existing JSON pointer location.
func setPointer(root any, ptr string, v any) {
	tokens := splitPointer(ptr)
	if len(tokens) == 0 {
		return
	}
	cur := root
	for _, tok := range tokens[:len(tokens)-1] {
		switch t := cur.(type) {
		case map[string]any:
			cur = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return
			}
			cur = t[i]
		default:
			return
		}
	}
	last := tokens[len(tokens)-1]
	switch t := cur.(type) {
	case map[string]any:
		if _, ok := t[last]; ok {
			t[last] = v
		}
	case []any:
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(t) {
			t[i] = v
		}
	}
}
