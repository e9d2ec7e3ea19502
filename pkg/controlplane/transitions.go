package controlplane

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// checkTransition reports changes from a live spec that Flow refuses: a collection's key or logical
// partitions (unless the draft resets it), and a binding's backfill counter going down.
func checkTransition(name string, t api.SpecType, live, draft any) []api.BuildError {
	var errs []api.BuildError
	fail := func(ptr, format string, args ...any) {
		errs = append(errs, api.BuildError{CatalogName: name, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	lobj, _ := live.(map[string]any)
	dobj, _ := draft.(map[string]any)
	switch t {
	case api.Collection:
		if reset, _ := dobj["reset"].(bool); reset {
			return nil
		}
		if from, to := debugList(lobj["key"]), debugList(dobj["key"]); from != to {
			fail("/key", "the key of existing collection %s cannot change (from %s to %s) without also resetting it", name, from, to)
		}
		if from, to := partitionFields(lobj), partitionFields(dobj); from != to {
			fail("/projections", "the logical partitions of existing collection %s cannot change (from %s to %s) without also resetting it", name, from, to)
		}
	case api.Capture, api.Materialization:
		last := map[string]int64{}
		for _, b := range arrayAt(lobj, "bindings") {
			last[resourceKey(b)] = backfillOf(b)
		}
		for i, b := range arrayAt(dobj, "bindings") {
			prev, ok := last[resourceKey(b)]
			if now := backfillOf(b); ok && now < prev {
				fail(fmt.Sprintf("/bindings/%d/backfill", i),
					"`backfill` counters may only increase, but the draft %s for %s has a value of %d, which is less than the last value %d",
					t, resourceKey(b), now, prev)
			}
		}
	}
	return errs
}

// debugList renders a list of strings as Flow's messages do: ["/a", "/b"].
func debugList(v any) string {
	var out []string
	for _, x := range toArray(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	b, _ := json.Marshal(out)
	if out == nil {
		return "[]"
	}
	return string(b)
}

// partitionFields lists, sorted, the projections marked `partition: true`.
func partitionFields(coll map[string]any) string {
	proj, _ := coll["projections"].(map[string]any)
	var fields []any
	for f, p := range proj {
		if part, _ := field(p, "partition").(bool); part {
			fields = append(fields, f)
		}
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].(string) < fields[j].(string) })
	return debugList(fields)
}

// resourceKey identifies a binding by its resource, as canonical JSON.
func resourceKey(binding any) string {
	b, _ := marshalCanonical(field(binding, "resource"))
	return string(b)
}

func backfillOf(binding any) int64 {
	n, ok := field(binding, "backfill").(json.Number)
	if !ok {
		return 0
	}
	v, _ := n.Int64()
	return v
}

func toArray(v any) []any {
	a, _ := v.([]any)
	return a
}
