package doc

import (
	"strconv"
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

// setAnn yields the annotations of Flow's test_object_sequence_fixture: members of "add" sum.
func setAnn(rhs string) *schema.Annotation {
	a := strat(s("set"))
	v := mustDecode(nil, rhs).(map[string]any)
	if add, ok := v["add"].(map[string]any); ok {
		addAnn := &schema.Annotation{Children: map[string]*schema.Annotation{}}
		for k := range add {
			addAnn.Children[k] = strat(s("sum"))
		}
		a.Children = map[string]*schema.Annotation{"add": addAnn}
	}
	return a
}

func TestSetObjectSequence(t *testing.T) {
	seq := []struct {
		rhs  string
		full bool
		want string
	}{
		{`{"add": {"55": 1}}`, false, `{"add": {"55": 1}}`},
		{`{"add": {"99": 1}}`, false, `{"add": {"55": 1, "99": 1}}`},
		{`{"remove": {"99": 0}, "add": {"22": 1, "55": 1}}`, false, `{"remove": {"99": 0}, "add": {"22": 1, "55": 2}}`},
		{`{"remove": {"55": 0}, "add": {"22": 3, "55": 1}}`, false, `{"remove": {"55": 0, "99": 0}, "add": {"22": 4, "55": 1}}`},
		{`{"remove": {"88": 0}, "add": {"11": 1, "22": 2}}`, true, `{"add": {"11": 1, "22": 6, "55": 1}}`},
		{`{"remove": {"55": 0}}`, true, `{"add": {"11": 1, "22": 6}}`},
		{`{"intersect": {"22": 0, "33": 0}}`, false, `{"intersect": {"22": 0, "33": 0}, "add": {"22": 6}}`},
		{`{"add": {"22": 2, "33": 1}}`, false, `{"intersect": {"22": 0, "33": 0}, "add": {"22": 8, "33": 1}}`},
		{`{"intersect": {"33": 0, "44": 0}, "add": {"22": 1, "33": 1}}`, false, `{"intersect": {"33": 0}, "add": {"22": 1, "33": 2}}`},
		{`{"remove": {"33": 0}, "add": {"22": 1, "33": 1}}`, false, `{"intersect": {}, "add": {"22": 2, "33": 1}}`},
		{`{"add": {"33": 1}}`, true, `{"add": {"22": 2, "33": 2}}`},
		{`{"remove": {"33": 0}}`, false, `{"add": {"22": 2}, "remove": {"33": 0}}`},
	}
	var steps []step
	for _, st := range seq {
		steps = append(steps, step{rhs: st.rhs, ann: setAnn(st.rhs), full: st.full, want: st.want})
	}
	runSteps(t, steps)
}

// arraySetAnn yields the annotations of Flow's test_array_sequence_fixture: entries [key, count]
// merge, with the count summed.
func arraySetAnn(rhs string) *schema.Annotation {
	a := strat(s("set", "key", []any{"/0"}))
	v := mustDecode(nil, rhs).(map[string]any)
	if add, ok := v["add"].([]any); ok {
		addAnn := &schema.Annotation{Children: map[string]*schema.Annotation{}}
		for i := range add {
			addAnn.Children[strconv.Itoa(i)] = strat(s("merge"), "1", strat(s("sum")))
		}
		a.Children = map[string]*schema.Annotation{"add": addAnn}
	}
	return a
}

func TestSetArraySequence(t *testing.T) {
	seq := []struct {
		rhs  string
		full bool
		want string
	}{
		{`{"add": [[55, 1]]}`, false, `{"add": [[55, 1]]}`},
		{`{"add": [[99, 1]]}`, false, `{"add": [[55, 1], [99, 1]]}`},
		{`{"remove": [[99]], "add": [[22, 1], [55, 1]]}`, false, `{"remove": [[99]], "add": [[22, 1], [55, 2]]}`},
		{`{"remove": [[55]], "add": [[22, 3], [55, 1]]}`, false, `{"remove": [[55], [99]], "add": [[22, 4], [55, 1]]}`},
		{`{"remove": [[88]], "add": [[11, 1], [22, 2]]}`, true, `{"add": [[11, 1], [22, 6], [55, 1]]}`},
		{`{"remove": [[55]]}`, true, `{"add": [[11, 1], [22, 6]]}`},
		{`{"intersect": [[22], [33]]}`, false, `{"intersect": [[22], [33]], "add": [[22, 6]]}`},
		{`{"add": [[22, 2], [33, 1]]}`, false, `{"intersect": [[22], [33]], "add": [[22, 8], [33, 1]]}`},
		{`{"intersect": [[33], [44]], "add": [[22, 1], [33, 1]]}`, false, `{"intersect": [[33]], "add": [[22, 1], [33, 2]]}`},
		{`{"remove": [[33]], "add": [[22, 1], [33, 1]]}`, false, `{"intersect": [], "add": [[22, 2], [33, 1]]}`},
		{`{"add": [[33, 1]]}`, true, `{"add": [[22, 2], [33, 2]]}`},
		{`{"remove": [[33]]}`, false, `{"add": [[22, 2]], "remove": [[33]]}`},
	}
	var steps []step
	for _, st := range seq {
		steps = append(steps, step{rhs: st.rhs, ann: arraySetAnn(st.rhs), full: st.full, want: st.want})
	}
	runSteps(t, steps)
}

// flow-spec 4.3 Ex. 5, from set.md.
func TestSetAsMap(t *testing.T) {
	seq := []struct{ rhs, want string }{
		{`{"add":{"a":1,"b":1,"c":1}}`, `{"add":{"a":1,"b":1,"c":1}}`},
		{`{"remove":{"b":0}}`, `{"add":{"a":1,"c":1},"remove":{"b":0}}`},
		{`{"add":{"a":1,"d":1}}`, `{"add":{"a":2,"c":1,"d":1},"remove":{"b":0}}`},
		// An RHS intersect replaces the LHS remove term (RI minus LR).
		{`{"intersect":{"a":0,"d":0}}`, `{"add":{"a":2,"d":1},"intersect":{"a":0,"d":0}}`},
		{`{"add":{"a":1,"e":1}}`, `{"add":{"a":3,"d":1,"e":1},"intersect":{"a":0,"d":0}}`},
	}
	var steps []step
	for _, st := range seq {
		steps = append(steps, step{rhs: st.rhs, ann: setAnn(st.rhs), want: st.want})
	}
	runSteps(t, steps)
}

func TestSetErrors(t *testing.T) {
	set := strat(s("set"))
	cases := []struct{ lhs, rhs, ptr string }{
		{`{"add": {}}`, `{"intersect": []}`, ""},             // forms mixed across sides
		{`{"add": {}, "intersect": []}`, `{}`, ""},           // forms mixed within a side
		{`{"intersect": [], "remove": []}`, `{}`, "/remove"}, // intersect with remove
		{`{"intersect": []}`, `42`, ""},                      // not an object
		{`{"add": {}}`, `{"other": {}}`, "/other"},           // unknown term
		{`{"add": {}}`, `{"add": 1}`, "/add"},                // scalar term
	}
	for _, c := range cases {
		_, err := Reduce(mustDecode(t, c.lhs), mustDecode(t, c.rhs), true, set, false)
		re, ok := err.(*ReduceError)
		if !ok || re.Err != ErrSetWrongType || re.Ptr != c.ptr {
			t.Errorf("set %s + %s: error = %v, want ErrSetWrongType at %q", c.lhs, c.rhs, err, c.ptr)
		}
	}
}
