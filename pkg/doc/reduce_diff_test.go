package doc

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// The node reducer gives exactly the any reducer's results, flags and errors.
func TestNodeReducerEqualsAnyReducer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var stats [4]int
	for trial := range 30_000 {
		ann := randAnnotation(rng, 0)
		rhs := randValue(rng, 0)
		lhsOK := rng.IntN(4) > 0
		var lhs any
		if lhsOK {
			lhs = randValue(rng, 0)
			if rng.IntN(2) == 0 {
				lhs = perturb(rng, rhs, 0)
			}
		}
		full := rng.IntN(2) == 0

		old := reducer{full: full}
		want, wantDeleted, wantErr := old.reduce(lhs, lhsOK, rhs, ann)

		var a node.Arena
		var ln node.Node
		if lhsOK {
			ln = a.FromAny(lhs)
		}
		rn := a.FromAny(rhs)
		lBefore, rBefore := toJSON(a.ToAny(ln)), toJSON(a.ToAny(rn))
		nr := nodeReducer{arena: &a, full: full}
		got, gotDeleted, gotErr := nr.reduce(ln, lhsOK, rn, ann)

		fail := func(what string, g, w any) {
			t.Fatalf("trial %d: %s: got %v, want %v\nlhs %s (%v)\nrhs %s\nfull %v\nann %s", trial, what, g, w,
				toJSON(lhs), lhsOK, toJSON(rhs), full, describeAnnotation(ann))
		}
		if toJSON(a.ToAny(ln)) != lBefore || toJSON(a.ToAny(rn)) != rBefore {
			fail("inputs modified", toJSON(a.ToAny(rn)), rBefore)
		}
		switch {
		case (gotErr == nil) != (wantErr == nil):
			fail("error", gotErr, wantErr)
		case wantErr != nil:
			stats[0]++
			var g, w *ReduceError
			if !errors.As(gotErr, &g) || !errors.As(wantErr, &w) || g.Error() != w.Error() {
				fail("error", gotErr, wantErr)
			}
			continue
		}
		if g, w := toJSON(a.ToAny(got)), toJSON(want); g != w {
			fail("result", g, w)
		}
		if gotDeleted != wantDeleted {
			fail("deleted", gotDeleted, wantDeleted)
		}
		if nr.changed != old.changed {
			fail("changed", nr.changed, old.changed)
		}
		stats[1]++
		if old.changed {
			stats[2]++
		}
		if wantDeleted {
			stats[3]++
		}
	}
	t.Logf("errors %d, results %d (changed %d, deleted %d)", stats[0], stats[1], stats[2], stats[3])
}

var randNames = []string{"a", "b", "c", "add", "intersect", "remove"}

// randValue is a random document of canonical numbers (the node form keeps only canonical ones).
func randValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(12)
	if depth >= 3 {
		k = rng.IntN(7)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return json.Number(strconv.Itoa(rng.IntN(5)))
	case 3:
		return json.Number([]string{"-3", "-1", "18446744073709551615", "-9223372036854775808", "9223372036854775807"}[rng.IntN(5)])
	case 4:
		return json.Number(node.AppendFloat(nil, []float64{0.5, -2.25, 1, 1e300, -1.7976931348623157e308}[rng.IntN(5)]))
	case 5:
		return []string{"x", "y", "7", "1.5", "-03", "1e2", ""}[rng.IntN(7)]
	case 6:
		return map[string]any{"type": []string{"string", "integer", "object"}[rng.IntN(3)]}
	case 7, 8:
		arr := make([]any, rng.IntN(4))
		for i := range arr {
			arr[i] = randValue(rng, depth+1)
		}
		return arr
	default:
		obj := map[string]any{}
		for range rng.IntN(5) {
			obj[randNames[rng.IntN(len(randNames))]] = randValue(rng, depth+1)
		}
		return obj
	}
}

// perturb is v with some parts replaced, so both sides often share a structure.
func perturb(rng *rand.Rand, v any, depth int) any {
	if rng.IntN(5) == 0 {
		return randValue(rng, depth)
	}
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for _, item := range v {
			if rng.IntN(4) > 0 {
				out = append(out, perturb(rng, item, depth+1))
			}
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			if rng.IntN(4) > 0 {
				out[k] = perturb(rng, item, depth+1)
			}
		}
		if rng.IntN(3) == 0 {
			out[randNames[rng.IntN(len(randNames))]] = randValue(rng, depth+1)
		}
		return out
	}
	return v
}

func randAnnotation(rng *rand.Rand, depth int) *schema.Annotation {
	if rng.IntN(5) == 0 {
		return nil
	}
	a := &schema.Annotation{}
	if rng.IntN(4) > 0 {
		a.Reduce = randReduce(rng)
	}
	if depth < 4 {
		for _, tok := range append([]string{"0", "1", "2"}, randNames...) {
			if rng.IntN(3) == 0 {
				if a.Children == nil {
					a.Children = map[string]*schema.Annotation{}
				}
				a.Children[tok] = randAnnotation(rng, depth+1)
			}
		}
	}
	return a
}

func randReduce(rng *rand.Rand) *schema.Reduce {
	strategies := []schema.Strategy{schema.Append, schema.FirstWriteWins, schema.LastWriteWins, schema.Maximize,
		schema.Minimize, schema.Merge, schema.Merge, schema.Set, schema.Set, schema.Sum, schema.Sum, schema.JSONSchemaMerge}
	r := &schema.Reduce{Strategy: strategies[rng.IntN(len(strategies))], Associative: true}
	switch r.Strategy {
	case schema.LastWriteWins:
		r.Delete, r.Associative = rng.IntN(3) == 0, rng.IntN(3) > 0
	case schema.Merge:
		r.Delete = rng.IntN(4) == 0
		fallthrough
	case schema.Maximize, schema.Minimize, schema.Set:
		switch rng.IntN(3) {
		case 0:
			r.Key = []string{""}
		case 1:
			r.Key = []string{"/a"}
		}
	}
	return r
}

func describeAnnotation(a *schema.Annotation) string {
	if a == nil {
		return "-"
	}
	s := "{"
	if a.Reduce != nil {
		s += string(a.Reduce.Strategy) + " " + toJSON(map[string]any{"key": toAnySlice(a.Reduce.Key), "delete": a.Reduce.Delete, "assoc": a.Reduce.Associative})
	}
	for _, k := range sortedKeys(anyChildren(a.Children)) {
		s += " " + k + ":" + describeAnnotation(a.Children[k])
	}
	return s + "}"
}

func toAnySlice(s []string) []any {
	out := []any{}
	for _, v := range s {
		out = append(out, v)
	}
	return out
}

func anyChildren(m map[string]*schema.Annotation) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}
