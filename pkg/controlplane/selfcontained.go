package controlplane

import (
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// checkSelfContained refuses a spec that still names files or references schemas outside itself.
// flowd builds specs with pkg/catalog, whose loader fetches such references: from the author's
// machine they cannot be read, and from the server's own disk or network they must never be.
func checkSelfContained(name string, t api.SpecType, spec any) []api.BuildError {
	var errs []api.BuildError
	for _, f := range api.FileFields(t, spec) {
		if f.NamesFile() {
			errs = append(errs, api.BuildError{CatalogName: name, Pointer: f.Pointer, Message: fmt.Sprintf(
				"%q names a file, which flowd cannot read: inline the content, or publish with flowctl, which bundles local files", f.Value)})
			continue
		}
		if f.Schema {
			for _, ref := range externalRefs(f.Value) {
				errs = append(errs, api.BuildError{CatalogName: name, Pointer: f.Pointer, Message: fmt.Sprintf(
					"schema $ref %q points outside the spec: bundle the schema it names into $defs with a matching $id (flowctl does this)", ref)})
			}
		}
	}
	return errs
}

// dataKeywords hold values, not schemas: pkg/catalog's loader takes no $id from inside them, so an
// $id there embeds nothing and a $ref naming it would be fetched.
var dataKeywords = map[string]bool{"enum": true, "const": true, "default": true, "examples": true, "example": true}

// externalRefs lists the $refs of a schema that no $id inside it resolves: only fragments, embedded
// schemas and Flow's flow:// schemas are allowed. It looks for $refs everywhere, data included,
// but counts only the $ids the loader counts.
func externalRefs(schema any) []string {
	ids := map[string]bool{}
	type ref struct{ base, value string }
	var refs []ref
	var walk func(v any, base string, inData bool)
	walk = func(v any, base string, inData bool) {
		switch t := v.(type) {
		case map[string]any:
			if id, ok := t["$id"].(string); ok && !inData {
				base = api.ResolveRef(base, id)
				ids[withoutFragment(base)] = true
			}
			for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
				if r, ok := t[kw].(string); ok {
					refs = append(refs, ref{base, r})
				}
			}
			for k, child := range t {
				walk(child, base, inData || dataKeywords[k])
			}
		case []any:
			for _, child := range t {
				walk(child, base, inData)
			}
		}
	}
	walk(schema, "", false)
	var out []string
	for _, r := range refs {
		target := withoutFragment(api.ResolveRef(r.base, r.value))
		switch {
		case strings.HasPrefix(r.value, "#"), strings.HasPrefix(r.value, "flow://"), ids[target]:
		default:
			out = append(out, r.value)
		}
	}
	return out
}

func withoutFragment(u string) string {
	s, _, _ := strings.Cut(u, "#")
	return s
}
