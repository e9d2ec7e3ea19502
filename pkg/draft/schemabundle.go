package draft

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
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
	id := fileURL(path)
	if _, has := root["$id"]; !has {
		root["$id"] = id
	}
	defs := map[string]any{}
	seen := map[string]bool{path: true}
	if err := bundleRefs(root, path, defs, seen); err != nil {
		in.fail(ptr, err)
		return ref
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

// bundleRefs finds $refs to other local files under v and adds each file once to defs.
func bundleRefs(v any, from string, defs map[string]any, seen map[string]bool) error {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			file, _, _ := strings.Cut(ref, "#")
			if file != "" && !strings.HasPrefix(file, "flow://") {
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
					if err := bundleRefs(doc, path, defs, seen); err != nil {
						return err
					}
				}
			}
		}
		for _, x := range t {
			if err := bundleRefs(x, from, defs, seen); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range t {
			if err := bundleRefs(x, from, defs, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
