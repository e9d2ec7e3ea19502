package doc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// Random documents reduced under random annotations, in one arena: inputs stay as they were,
// results are well-formed (objects sorted, names unique), errors are *ReduceErrors, and the any
// API, which reduces in an arena of its own, agrees.
func TestNodeReductionInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var a node.Arena
	for trial := range 20_000 {
		if trial%1000 == 0 {
			a.Reset()
		}
		rhs := randValue(rng, 0)
		lhsOK := rng.IntN(4) > 0
		lhs := any(nil)
		if lhsOK {
			lhs = randValue(rng, 0)
			if rng.IntN(2) == 0 {
				lhs = perturb(rng, rhs, 0)
			}
		}
		var ln node.Node
		if lhsOK {
			ln = a.FromAny(lhs)
		}
		checkReduction(t, &a, ln, lhsOK, a.FromAny(rhs), randAnnotation(rng, 0), rng.IntN(2) == 0)
	}
}

func checkReduction(t testing.TB, a *node.Arena, lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation, full bool) {
	t.Helper()
	lBefore, rBefore := a.AppendJSON(nil, lhs), a.AppendJSON(nil, rhs)
	r := nodeReducer{arena: a, full: full}
	out, deleted, err := r.reduce(lhs, lhsOK, rhs, ann)
	if !bytes.Equal(a.AppendJSON(nil, lhs), lBefore) || !bytes.Equal(a.AppendJSON(nil, rhs), rBefore) {
		t.Fatalf("the inputs were modified: %s, %s became %s, %s", lBefore, rBefore, a.AppendJSON(nil, lhs), a.AppendJSON(nil, rhs))
	}
	var lhsAny any
	if lhsOK {
		lhsAny = a.ToAny(lhs)
	}
	want, wantDeleted, wantErr := ReduceRoot(lhsAny, a.ToAny(rhs), lhsOK, ann, full)
	if err != nil {
		var re *ReduceError
		if !errors.As(err, &re) || wantErr == nil || err.Error() != wantErr.Error() {
			t.Fatalf("reducing %s into %s: error %v, the any API's %v", rBefore, lBefore, err, wantErr)
		}
		return
	}
	if !wellFormed(a, out) {
		t.Fatalf("reducing %s into %s: %s has unsorted or repeated properties", rBefore, lBefore, a.AppendJSON(nil, out))
	}
	if got := a.AppendJSON(nil, out); wantErr != nil || string(got) != toJSON(want) || deleted != wantDeleted {
		t.Fatalf("reducing %s into %s: %s (deleted %v), the any API's %s (%v, %v)", rBefore, lBefore, got, deleted, toJSON(want), wantDeleted, wantErr)
	}
}

// wellFormed reports whether every object of n holds its properties sorted by name, unique.
func wellFormed(a *node.Arena, n node.Node) bool {
	switch n.Kind() {
	case node.Array:
		for _, item := range a.Items(n) {
			if !wellFormed(a, item) {
				return false
			}
		}
	case node.Object:
		fields := a.Fields(n)
		for i, f := range fields {
			if (i > 0 && a.Str(fields[i-1].Name) >= a.Str(f.Name)) || !wellFormed(a, f.Value) {
				return false
			}
		}
	}
	return true
}

// Reductions in one arena, whose results share subtrees with their inputs and with each other:
// any grouping of partial reductions followed by full ones equals the sequential full reduction.
func TestNodeReductionAssociativity(t *testing.T) {
	sch := compileSchema(t, propertySchema)
	rng := rand.New(rand.NewPCG(5, 6))
	var a node.Arena
	var r nodeReducer
	reduce := func(lhs node.Node, lhsOK bool, rhs node.Node, full bool) node.Node {
		ann, err := sch.ValidateReduceNode(&a, rhs)
		if err != nil {
			t.Fatalf("fixture %s is invalid: %v", a.AppendJSON(nil, rhs), err)
		}
		r = nodeReducer{arena: &a, full: full}
		out, _, err := r.reduce(lhs, lhsOK, rhs, ann)
		if err != nil {
			t.Fatalf("reducing %s into %s: %v", a.AppendJSON(nil, rhs), a.AppendJSON(nil, lhs), err)
		}
		return out
	}
	for trial := range 300 {
		a.Reset()
		docs := make([]node.Node, 2+rng.IntN(8))
		for i := range docs {
			var err error
			if docs[i], err = a.Decode([]byte(randomDoc(rng))); err != nil {
				t.Fatal(err)
			}
		}
		seq := reduce(node.Node{}, false, docs[0], true)
		for _, d := range docs[1:] {
			seq = reduce(seq, true, d, true)
		}
		var groups []node.Node
		for i := 0; i < len(docs); {
			n := 1 + rng.IntN(len(docs)-i)
			acc := docs[i]
			for _, d := range docs[i+1 : i+n] {
				acc = reduce(acc, true, d, false)
			}
			groups = append(groups, acc)
			i += n
		}
		grouped := reduce(node.Node{}, false, groups[0], true)
		for _, g := range groups[1:] {
			grouped = reduce(grouped, true, g, true)
		}
		if a.Compare(seq, grouped) != 0 {
			t.Fatalf("trial %d: sequential %s, grouped %s", trial, a.AppendJSON(nil, seq), a.AppendJSON(nil, grouped))
		}
	}
}

// FuzzReduceNodes reduces two documents under an annotation tree grown from seed.
func FuzzReduceNodes(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[1,2],"add":{"x":1}}`), []byte(`{"a":2,"b":[3],"add":{"y":2}}`), uint64(1), byte(0))
	f.Add([]byte(`{"add":[{"a":1}],"remove":[{"a":2}]}`), []byte(`{"intersect":[{"a":1}]}`), uint64(7), byte(1))
	f.Add([]byte(`[1,"2",3.5]`), []byte(`["9000000000000000000",-1,null]`), uint64(42), byte(3))
	f.Add([]byte(`{"type":"string"}`), []byte(`{"type":"integer","maximum":3}`), uint64(9), byte(2))
	f.Fuzz(func(t *testing.T, lhsJSON, rhsJSON []byte, seed uint64, flags byte) {
		var a node.Arena
		lhs, lerr := a.Decode(lhsJSON)
		rhs, rerr := a.Decode(rhsJSON)
		if lerr != nil || rerr != nil {
			return
		}
		ann := randAnnotation(rand.New(rand.NewPCG(seed, seed>>32)), 0)
		checkReduction(t, &a, lhs, flags&1 == 0, rhs, ann, flags&2 != 0)
	})
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
