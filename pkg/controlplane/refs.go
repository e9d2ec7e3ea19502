package controlplane

import (
	"sort"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// references lists the collections a spec reads or writes: capture targets, derivation and
// materialization sources, and the collections test steps ingest into and verify. It is what a
// publication loads from the live catalog, and what blocks deleting a collection still in use.
func references(t api.SpecType, spec any) []string {
	set := map[string]bool{}
	obj, _ := spec.(map[string]any)
	switch t {
	case api.Capture:
		for _, b := range arrayAt(obj, "bindings") {
			addName(set, field(b, "target"))
		}
	case api.Collection:
		derive, _ := obj["derive"].(map[string]any)
		for _, tr := range arrayAt(derive, "transforms") {
			addName(set, field(tr, "source"))
		}
	case api.Materialization:
		for _, b := range arrayAt(obj, "bindings") {
			addName(set, field(b, "source"))
		}
	case api.Test:
		for _, step := range testSteps(spec) {
			for _, kind := range []string{"ingest", "verify"} {
				addName(set, field(field(step, kind), "collection"))
			}
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// testSteps returns a test's steps from either of its forms: {steps: [...]} or a bare array.
func testSteps(spec any) []any {
	if steps, ok := spec.([]any); ok {
		return steps
	}
	obj, _ := spec.(map[string]any)
	return arrayAt(obj, "steps")
}

// addName adds a collection reference: a name, or {name: ...}.
func addName(set map[string]bool, ref any) {
	switch r := ref.(type) {
	case string:
		set[r] = true
	case map[string]any:
		if n, ok := r["name"].(string); ok {
			set[n] = true
		}
	}
}

func field(v any, key string) any {
	obj, _ := v.(map[string]any)
	return obj[key]
}

func arrayAt(obj map[string]any, key string) []any {
	arr, _ := obj[key].([]any)
	return arr
}
