package doc

import (
	"errors"
	"strconv"
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

// step reduces rhs into the running LHS. The first step takes rhs as the LHS, as Flow's own
// reduction tests do. want is the expected JSON, or wantErr a sentinel error.
type step struct {
	rhs     string
	ann     *schema.Annotation
	full    bool
	want    string
	wantErr error
}

func runSteps(t *testing.T, steps []step) {
	t.Helper()
	var lhs any
	exists := false
	for i, st := range steps {
		rhs := mustDecode(t, st.rhs)
		var out any
		var err error
		if !exists {
			out = rhs
		} else {
			// Reduce may modify its LHS: give it a copy so a failed step leaves ours intact.
			out, err = Reduce(mustDecode(t, toJSON(lhs)), rhs, true, st.ann, st.full)
		}
		if st.wantErr != nil {
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("step %d (%s): error = %v, want %v", i, st.rhs, err, st.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, st.rhs, err)
		}
		if got := toJSON(out); got != toJSON(mustDecode(t, st.want)) {
			t.Fatalf("step %d (%s): got %s, want %s", i, st.rhs, got, st.want)
		}
		lhs, exists = out, true
	}
}

func TestAppend(t *testing.T) {
	app, lww := strat(s("append")), strat(s("lastWriteWins"))
	runSteps(t, []step{
		{rhs: `[]`, ann: app, want: `[]`},
		{rhs: `"whoops"`, ann: app, wantErr: ErrAppendWrongType},
		{rhs: `[0, 1]`, ann: app, want: `[0, 1]`},
		{rhs: `[2, 3, 4]`, ann: app, want: `[0, 1, 2, 3, 4]`},
		{rhs: `[-1, "a"]`, ann: app, want: `[0, 1, 2, 3, 4, -1, "a"]`},
		{rhs: `{}`, ann: app, wantErr: ErrAppendWrongType},
		{rhs: `null`, ann: lww, want: `null`},
		{rhs: `[5, 6, 4]`, ann: app, want: `null`}, // a null LHS stays null
	})
}

func TestLastWriteWinsNotAssociative(t *testing.T) {
	plain, strict := strat(s("lastWriteWins")), strat(s("lastWriteWins", "associative", false))
	runSteps(t, []step{
		{rhs: `"foo"`, ann: plain, want: `"foo"`},
		{rhs: `{"n": 42}`, ann: plain, want: `{"n": 42}`},
		{rhs: `null`, ann: plain, want: `null`},
		{rhs: `42`, ann: strict, wantErr: ErrNotAssociative},
		{rhs: `42`, ann: strict, full: true, want: `42`},
		{rhs: `42`, ann: strict, want: `42`}, // equal values reduce associatively
		{rhs: `52`, ann: strict, wantErr: ErrNotAssociative},
		{rhs: `"foo"`, ann: plain, want: `"foo"`},
	})
}

func TestFirstWriteWins(t *testing.T) {
	fww := strat(s("firstWriteWins"))
	runSteps(t, []step{
		{rhs: `"foo"`, ann: fww, want: `"foo"`},
		{rhs: `{"n": 42}`, ann: fww, want: `"foo"`},
		{rhs: `null`, ann: fww, want: `"foo"`},
	})
	out, err := Reduce(nil, mustDecode(t, `7`), false, fww, false)
	if err != nil || toJSON(out) != "7" {
		t.Fatalf("firstWriteWins with a missing LHS = %v, %v; want 7", toJSON(out), err)
	}
}

func TestMinimizeMaximizeSimple(t *testing.T) {
	minimize, maximize := strat(s("minimize")), strat(s("maximize"))
	runSteps(t, []step{
		{rhs: `3`, ann: minimize, want: `3`},
		{rhs: `4`, ann: minimize, want: `3`},
		{rhs: `3.0`, ann: minimize, want: `3.0`}, // equal: take the RHS
		{rhs: `2`, ann: minimize, want: `2`},
		{rhs: `"a"`, ann: minimize, want: `2`}, // strings order after numbers
	})
	runSteps(t, []step{
		{rhs: `3`, ann: maximize, want: `3`},
		{rhs: `4`, ann: maximize, want: `4`},
		{rhs: `4`, ann: maximize, want: `4`},
		{rhs: `2`, ann: maximize, want: `4`},
		{rhs: `null`, ann: maximize, want: `4`},
	})
}

// Flow's test_minimize_with_deep_merge (flow-spec 4.3, Ex. 2).
func TestMinimizeWithDeepMerge(t *testing.T) {
	ann := strat(s("minimize", "key", []any{"/k"}), "n", strat(s("sum")))
	runSteps(t, []step{
		{rhs: `{"k": 3, "n": 1}`, ann: ann, want: `{"k": 3, "n": 1}`},
		{rhs: `{"k": 4, "n": 1}`, ann: ann, want: `{"k": 3, "n": 1}`},
		{rhs: `{"k": 3, "n": 1, "!": true}`, ann: ann, want: `{"k": 3, "n": 2, "!": true}`},
		{rhs: `{"k": 4, "n": 1, "!": false}`, ann: ann, want: `{"k": 3, "n": 2, "!": true}`},
		{rhs: `{"k": 3, "n": 1}`, ann: ann, want: `{"k": 3, "n": 3, "!": true}`},
		{rhs: `{"k": 2, "n": 1}`, ann: ann, want: `{"k": 2, "n": 1}`},
		{rhs: `{"k": null, "n": -1}`, ann: ann, want: `{"k": null, "n": -1}`},
		{rhs: `{"n": 1, "whoops": true}`, ann: ann, want: `{"n": 1, "whoops": true}`},
		// Both keys are missing, so they are equal and the deep merge meets a scalar.
		{rhs: `42`, ann: ann, wantErr: ErrMergeWrongType},
	})
}

// Flow's test_maximize_with_deep_merge: items annotated by position, keyed on /1.
func TestMaximizeWithDeepMerge(t *testing.T) {
	ann := strat(s("maximize", "key", []any{"/1"}), "0", strat(s("sum")))
	runSteps(t, []step{
		{rhs: `[1, 3]`, ann: ann, want: `[1, 3]`},
		{rhs: `[1, 4]`, ann: ann, want: `[1, 4]`},
		{rhs: `[1, 3]`, ann: ann, want: `[1, 4]`},
		{rhs: `[1, 4, "."]`, ann: ann, want: `[2, 4, "."]`},
		{rhs: `{"1": 4}`, ann: ann, wantErr: ErrNotAssociative},
		{rhs: `[1, 2, "!"]`, ann: ann, want: `[2, 4, "."]`},
		{rhs: `[1, 4, ":"]`, ann: ann, want: `[3, 4, ":"]`},
		{rhs: `[]`, ann: ann, want: `[3, 4, ":"]`}, // a missing key orders first
		{rhs: `32`, ann: ann, want: `[3, 4, ":"]`},
	})
}

func TestSum(t *testing.T) {
	sum := strat(s("sum"))
	runSteps(t, []step{
		{rhs: `0`, ann: sum, want: `0`},
		{rhs: `"whoops"`, ann: sum, wantErr: ErrSumWrongType},
		{rhs: `123`, ann: sum, want: `123`},
		{rhs: `45`, ann: sum, want: `168`},
		{rhs: `18446744073709551583`, ann: sum, wantErr: ErrSumOverflow},
		{rhs: `-70`, ann: sum, want: `98`},
		{rhs: `0.1`, ann: sum, want: `98.1`},
		{rhs: `-98.1`, ann: sum, want: `0.0`},
		{rhs: `1.7976931348623157e308`, ann: sum, want: `1.7976931348623157e308`},
		{rhs: `1.7976931348623157e307`, ann: sum, wantErr: ErrSumOverflow},
		{rhs: `-1.0`, ann: sum, want: `1.7976931348623157e308`}, // too small to represent
		{rhs: `-8.988465674311579e307`, ann: sum, want: `8.988465674311579e307`},
		{rhs: `-8.988465674311579e307`, ann: sum, want: `0.0`},
		{rhs: `true`, ann: sum, wantErr: ErrSumWrongType},
	})
	// Numeric strings add with arbitrary precision (Flow's test_sum, second sequence).
	runSteps(t, []step{
		{rhs: `0`, ann: sum, want: `0`},
		{rhs: `"1"`, ann: sum, want: `"1"`},
		{rhs: `"9000000000000000000"`, ann: sum, want: `"9000000000000000001"`},
		{rhs: `"10000000000000000000"`, ann: sum, want: `"19000000000000000001"`},
		{rhs: `1233`, ann: sum, want: `"19000000000000001234"`},
		{rhs: `-10000`, ann: sum, want: `"18999999999999991234"`},
		{rhs: `86753.09`, ann: sum, want: `"19000000000000077987.09000000000"`},
		{rhs: `"10203.040506070812"`, ann: sum, want: `"19000000000000088190.130506070812"`},
		{rhs: `"1e3"`, ann: sum, want: `"19000000000000089190.130506070812"`},
		{rhs: `"NaN"`, ann: sum, wantErr: ErrSumWrongType},
	})
}

func TestSumIntegerEdges(t *testing.T) {
	sum := strat(s("sum"))
	cases := []struct{ lhs, rhs, want string }{
		{`1`, `-2`, `-1`},
		{`-2`, `3`, `1`},
		{`9223372036854775810`, `-2`, `9223372036854775808`},
		{`-5`, `9223372036854775810`, `9223372036854775805`},
		{`-9223372036854775807`, `2`, `-9223372036854775805`},
		{`9223372036854775807`, `-9223372036854775807`, `0`},
		{`9007199254740991`, `1.0`, `9007199254740992.0`},
		{`1`, `0.1`, `1.1`},
	}
	for _, c := range cases {
		out, err := Reduce(mustDecode(t, c.lhs), mustDecode(t, c.rhs), true, sum, false)
		if err != nil || toJSON(out) != c.want {
			t.Errorf("sum %s + %s = %s, %v; want %s", c.lhs, c.rhs, toJSON(out), err, c.want)
		}
	}
	for _, c := range [][2]string{{`1`, `18446744073709551615`}, {`-1`, `-9223372036854775808`}, {`-9223372036854775808`, `1`}} {
		if _, err := Reduce(mustDecode(t, c[0]), mustDecode(t, c[1]), true, sum, false); !errors.Is(err, ErrSumOverflow) {
			t.Errorf("sum %s + %s: error = %v, want overflow", c[0], c[1], err)
		}
	}
	// A missing LHS counts as zero, but the RHS must still be a number.
	if _, err := Reduce(nil, "x", false, sum, false); !errors.Is(err, ErrSumWrongType) {
		t.Errorf("sum of a missing LHS and a string: error = %v", err)
	}
}

func TestMergeArraysInPlace(t *testing.T) {
	ann := strat(s("merge"), "0", strat(s("maximize")), "1", strat(s("maximize")), "2", strat(s("maximize")), "3", strat(s("maximize")))
	runSteps(t, []step{
		{rhs: `[]`, ann: ann, want: `[]`},
		{rhs: `"whoops"`, ann: ann, wantErr: ErrMergeWrongType},
		{rhs: `[0, 1, 0]`, ann: ann, want: `[0, 1, 0]`},
		{rhs: `[3, 0, 2]`, ann: ann, want: `[3, 1, 2]`},
		{rhs: `[-1, 0, 4, "a"]`, ann: ann, want: `[3, 1, 4, "a"]`},
		{rhs: `[0, 32.6, 0, "b"]`, ann: ann, want: `[3, 32.6, 4, "b"]`},
		{rhs: `{}`, ann: ann, wantErr: ErrNotAssociative},
		{rhs: `{"a": "b"}`, ann: ann, full: true, want: `{"a": "b"}`},
	})
}

func TestMergeOrderedScalars(t *testing.T) {
	merge, lww := strat(s("merge", "key", []any{""})), strat(s("lastWriteWins"))
	runSteps(t, []step{
		{rhs: `[5, 9]`, ann: merge, want: `[5, 9]`},
		{rhs: `[7]`, ann: merge, want: `[5, 7, 9]`},
		{rhs: `[2, 4, 5]`, ann: merge, want: `[2, 4, 5, 7, 9]`},
		{rhs: `[1, 2, 7, 10]`, ann: merge, want: `[1, 2, 4, 5, 7, 9, 10]`},
		{rhs: `null`, ann: lww, want: `null`},
		{rhs: `[1, 2]`, ann: merge, wantErr: ErrNotAssociative},
		{rhs: `[1, 2]`, ann: merge, full: true, want: `[1, 2]`},
	})
}

// Flow's test_deep_merge_ordered_objects and merge.md's keyed example (flow-spec Ex. 4).
func TestMergeArraysByKey(t *testing.T) {
	item := strat(s("merge"), "n", strat(s("sum")), "m", strat(s("sum")))
	ann := func(n int) *schema.Annotation {
		a := strat(s("merge", "key", []any{"/k"}))
		a.Children = map[string]*schema.Annotation{}
		for i := range n {
			a.Children[strconv.Itoa(i)] = item
		}
		return a
	}
	runSteps(t, []step{
		{rhs: `[{"k": 5, "n": 1}, {"k": 9, "n": 1}]`, ann: ann(2), want: `[{"k": 5, "n": 1}, {"k": 9, "n": 1}]`},
		{rhs: `[{"k": 7, "m": 1}]`, ann: ann(1), want: `[{"k": 5, "n": 1}, {"k": 7, "m": 1}, {"k": 9, "n": 1}]`},
		{rhs: `[{"k": 5, "n": 3}, {"k": 7, "m": 1}]`, ann: ann(2), want: `[{"k": 5, "n": 4}, {"k": 7, "m": 2}, {"k": 9, "n": 1}]`},
		{rhs: `[{"k": 9, "n": -2}]`, ann: ann(1), want: `[{"k": 5, "n": 4}, {"k": 7, "m": 2}, {"k": 9, "n": -1}]`},
	})
	fww := strat(s("merge", "key", []any{"/k"}), "0", strat(s("firstWriteWins")), "1", strat(s("firstWriteWins")))
	runSteps(t, []step{
		{rhs: `[{"k":"a","v":1},{"k":"b","v":1}]`, ann: fww, want: `[{"k":"a","v":1},{"k":"b","v":1}]`},
		{rhs: `[{"k":"a","v":2},{"k":"c","v":2}]`, ann: fww, want: `[{"k":"a","v":1},{"k":"b","v":1},{"k":"c","v":2}]`},
	})
}

func TestMergeObjects(t *testing.T) {
	merge, lww := strat(s("merge")), strat(s("lastWriteWins"))
	runSteps(t, []step{
		{rhs: `{"5": 5, "9": 9}`, ann: merge, want: `{"5": 5, "9": 9}`},
		{rhs: `{"7": 7}`, ann: merge, want: `{"5": 5, "7": 7, "9": 9}`},
		{rhs: `{"2": 2, "4": 4, "5": 55}`, ann: merge, want: `{"2": 2, "4": 4, "5": 55, "7": 7, "9": 9}`},
		{rhs: `"whoops"`, ann: merge, wantErr: ErrMergeWrongType},
		{rhs: `null`, ann: lww, want: `null`},
		{rhs: `{"9": 9}`, ann: merge, wantErr: ErrNotAssociative},
		{rhs: `{"9": 9}`, ann: merge, full: true, want: `{"9": 9}`},
	})
}

func TestMergeDeletions(t *testing.T) {
	del := strat(s("lastWriteWins", "delete", true))
	// Annotations as Flow's test_merge_object_deletion yields them: "del" values get delete.
	ann := func(deleted ...string) *schema.Annotation {
		a := strat(s("merge"))
		a.Children = map[string]*schema.Annotation{}
		for _, d := range deleted {
			a.Children[d] = del
		}
		return a
	}
	runSteps(t, []step{
		{rhs: `{"5": 5, "9": 9}`, ann: ann(), want: `{"5": 5, "9": 9}`},
		{rhs: `{"5": "del", "6": 6}`, ann: ann("5"), want: `{"5": "del", "6": 6, "9": 9}`},
		{rhs: `{"5": "del"}`, ann: ann("5"), want: `{"5": "del", "6": 6, "9": 9}`},
		{rhs: `{"5": "del", "7": 7}`, ann: ann("5"), full: true, want: `{"6": 6, "7": 7, "9": 9}`},
		{rhs: `{"6": "del", "8": 8, "9": "del"}`, ann: ann("6", "9"), full: true, want: `{"7": 7, "8": 8}`},
	})
	// Keyed arrays: Flow's test_merge_array_deletion.
	arr := func(deletedIdx ...string) *schema.Annotation {
		a := strat(s("merge", "key", []any{"/k"}))
		a.Children = map[string]*schema.Annotation{}
		for _, d := range deletedIdx {
			a.Children[d] = del
		}
		return a
	}
	runSteps(t, []step{
		{rhs: `[{"k": 5}, {"k": 9}]`, ann: arr(), want: `[{"k": 5}, {"k": 9}]`},
		{rhs: `[{"k": 5, "del": 1}, {"k": 6}]`, ann: arr("0"), want: `[{"k": 5, "del": 1}, {"k": 6}, {"k": 9}]`},
		{rhs: `[{"k": 5, "del": 1}, {"k": 7}]`, ann: arr("0"), full: true, want: `[{"k": 6}, {"k": 7}, {"k": 9}]`},
		{rhs: `[{"k": 6, "del": 1}, {"k": 8}, {"k": 9, "del": 1}]`, ann: arr("0", "2"), full: true, want: `[{"k": 7}, {"k": 8}]`},
	})
}

// mergePatch builds the annotations Flow's RFC 7396 merge-patch schema yields for a document:
// objects merge, null is lastWriteWins with delete, anything else is the default.
func mergePatch(v any) *schema.Annotation {
	switch v := v.(type) {
	case map[string]any:
		a := strat(s("merge"))
		a.Children = map[string]*schema.Annotation{}
		for k, child := range v {
			a.Children[k] = mergePatch(child)
		}
		return a
	case nil:
		return strat(s("lastWriteWins", "delete", true))
	}
	return nil
}

// Flow's test_merge_patch_examples.
func TestMergePatch(t *testing.T) {
	steps := []struct {
		rhs     string
		full    bool
		want    string
		wantErr error
	}{
		{rhs: `{"a": 32.6, "c": {"d": [42], "f": "g"}}`, want: `{"a": 32.6, "c": {"d": [42], "f": "g"}}`},
		{rhs: `{"c": {"d": "e"}}`, want: `{"a": 32.6, "c": {"d": "e", "f": "g"}}`},
		{rhs: `{"a": "z", "c": {"f": null}}`, full: true, want: `{"a": "z", "c": {"d": "e"}}`},
		{rhs: `{"a": {"1": 1}}`, wantErr: ErrNotAssociative},
		{rhs: `{"a": {"1": 1}}`, full: true, want: `{"a": {"1": 1}, "c": {"d": "e"}}`},
		{rhs: `[1, 2]`, full: true, want: `[1, 2]`},
		{rhs: `{"a": {"bb": {"ccc": null}}}`, full: true, want: `{"a": {"bb": {}}}`},
		{rhs: `null`, full: true, want: `null`},
		{rhs: `"fin"`, full: true, want: `"fin"`},
	}
	var conv []step
	for _, st := range steps {
		conv = append(conv, step{rhs: st.rhs, ann: mergePatch(mustDecode(t, st.rhs)), full: st.full, want: st.want, wantErr: st.wantErr})
	}
	runSteps(t, conv)

	// A root null under merge-patch deletes the whole document on a full reduction.
	_, deleted, err := ReduceRoot(mustDecode(t, `{"a":1}`), nil, true, mergePatch(nil), true)
	if err != nil || !deleted {
		t.Fatalf("root deletion: deleted = %v, err = %v", deleted, err)
	}
	_, deleted, _ = ReduceRoot(mustDecode(t, `{"a":1}`), nil, true, mergePatch(nil), false)
	if deleted {
		t.Fatal("a partial reduction must not delete")
	}
}

func TestReduceErrorNamesLocationAndValues(t *testing.T) {
	ann := strat(s("merge"), "a", strat(s("merge"), "b", strat(s("sum"))))
	_, err := Reduce(mustDecode(t, `{"a":{"b":1}}`), mustDecode(t, `{"a":{"b":"x"}}`), true, ann, false)
	var re *ReduceError
	if !errors.As(err, &re) || re.Ptr != "/a/b" {
		t.Fatalf("error = %v, want a ReduceError at /a/b", err)
	}
	want := `while reducing "/a/b": 'sum' strategy expects numbers (LHS: 1, RHS: "x")`
	if err.Error() != want {
		t.Fatalf("message = %q, want %q", err.Error(), want)
	}
}

func TestNonRecursiveStrategiesSwallowSubtrees(t *testing.T) {
	// lastWriteWins at /a ignores the sum beneath it.
	ann := strat(s("merge"), "a", strat(s("lastWriteWins"), "n", strat(s("sum"))))
	out, err := Reduce(mustDecode(t, `{"a":{"n":1}}`), mustDecode(t, `{"a":{"n":2}}`), true, ann, false)
	if err != nil || toJSON(out) != `{"a":{"n":2}}` {
		t.Fatalf("got %s, %v", toJSON(out), err)
	}
	// The default at the root swallows everything.
	out, err = Reduce(mustDecode(t, `{"n":1}`), mustDecode(t, `{"n":2}`), true, strat(nil, "n", strat(s("sum"))), false)
	if err != nil || toJSON(out) != `{"n":2}` {
		t.Fatalf("got %s, %v", toJSON(out), err)
	}
}
