package draft

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// schema inlines a schema file reference (with an optional #/json/pointer fragment). The schema gets
// its file URL as $id, so relative $refs inside it keep resolving, and every other local file it
// $refs is bundled under $defs with that file's URL as $id, as JSON Schema 2020-12 bundling does.
func (in *inliner) schema(ptr, ref string) any {
	file, fragment, _ := strings.Cut(ref, "#")
	path, err := resolveFile(in.file, file)
	if err != nil {
		in.fail(ptr, err)
		return ref
	}
	doc, err := readDoc(path)
	if err != nil {
		in.fail(ptr, err)
		return ref
	}
	root, ok := doc.(map[string]any)
	if !ok {
		in.fail(ptr, fmt.Errorf("schema file %s must hold a JSON schema object", file))
		return ref
	}
	id, hasID := root["$id"].(string)
	if !hasID {
		id = fileURL(path)
	}
	defs := map[string]any{}
	seen := map[string]bool{path: true}
	if err := bundleRefs(root, path, id, embeddedIDs(root), defs, seen); err != nil {
		in.fail(ptr, err)
		return ref
	}
	// The file's URL becomes the base of its relative $refs only when they need one, so that a
	// schema without them bundles to exactly its content.
	if len(defs) > 0 || fragment != "" {
		root["$id"] = id
	}
	if len(defs) > 0 {
		existing, _ := root["$defs"].(map[string]any)
		if existing == nil {
			existing = map[string]any{}
		}
		for k, v := range defs {
			existing[k] = v
		}
		root["$defs"] = existing
	}
	if fragment == "" {
		return root
	}
	if !strings.HasPrefix(fragment, "/") {
		in.fail(ptr, fmt.Errorf("schema reference %q: only JSON pointer fragments (#/...) can be bundled", ref))
		return ref
	}
	// Keep the whole file (for its $defs and $id) and point into it.
	return map[string]any{"$ref": id + "#" + fragment, "$defs": map[string]any{"bundled": root}}
}

// bundleRefs finds $refs to other local files under v and adds each file once to defs. base is the
// URL relative $refs resolve against; refs to schemas already embedded (by $id, as in a schema
// bundled before and pulled back) are left alone.
func bundleRefs(v any, from, base string, embedded, defs map[string]any, seen map[string]bool) error {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			file, _, _ := strings.Cut(ref, "#")
			if _, done := embedded[api.ResolveRef(base, file)]; file != "" && !done && !strings.HasPrefix(file, "flow://") {
				path, err := resolveFile(from, file)
				if err != nil {
					return err
				}
				if !seen[path] {
					seen[path] = true
					doc, err := readDoc(path)
					if err != nil {
						return err
					}
					if m, ok := doc.(map[string]any); ok {
						if _, has := m["$id"]; !has {
							m["$id"] = fileURL(path)
						}
					}
					defs[fileURL(path)] = doc
					if err := bundleRefs(doc, path, fileURL(path), embedded, defs, seen); err != nil {
						return err
					}
				}
			}
		}
		for _, x := range t {
			if err := bundleRefs(x, from, base, embedded, defs, seen); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range t {
			if err := bundleRefs(x, from, base, embedded, defs, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// embeddedIDs collects every $id under a schema.
func embeddedIDs(v any) map[string]any {
	ids := map[string]any{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if id, ok := t["$id"].(string); ok {
				ids[id] = true
			}
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return ids
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
