package doc

import (
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// A full reduction with no LHS returns the document unchanged except where a strategy changes it,
// and never modifies its input (the combiner may still hold it).
func TestFullReductionAlone(t *testing.T) {
	merge := s("merge")
	del := strat(s("lastWriteWins", "delete", true))
	cases := []struct {
		name        string
		rhs         string
		ann         *schema.Annotation
		want        string
		wantDeleted bool
		wantChanged bool
	}{
		{name: "nothing to change", rhs: `{"a":{"b":[1,{"c":2}]},"n":3}`,
			ann:  strat(merge, "a", strat(merge, "b", strat(merge)), "n", strat(s("sum"))),
			want: `{"a":{"b":[1,{"c":2}]},"n":3}`},
		{name: "nested delete in an object", rhs: `{"a":{"gone":1,"kept":2},"z":0}`,
			ann:  strat(merge, "a", strat(merge, "gone", del)),
			want: `{"a":{"kept":2},"z":0}`, wantChanged: true},
		{name: "delete of an array item", rhs: `{"list":[1,2,3]}`,
			ann:  strat(merge, "list", strat(merge, "1", del)),
			want: `{"list":[1,3]}`, wantChanged: true},
		{name: "delete of the first array item", rhs: `[7,8]`,
			ann:  strat(merge, "0", del),
			want: `[8]`, wantChanged: true},
		{name: "sum normalises a numeric string", rhs: `{"n":"007","m":1}`,
			ann:  strat(merge, "n", strat(s("sum"))),
			want: `{"m":1,"n":"7"}`, wantChanged: true},
		{name: "set terms pruned", rhs: `{"s":{"add":{"x":1},"remove":{"y":1}}}`,
			ann:  strat(merge, "s", strat(s("set"))),
			want: `{"s":{"add":{"x":1}}}`, wantChanged: true},
		{name: "root delete", rhs: `{"a":1}`, ann: strat(s("merge", "delete", true)),
			want: `{"a":1}`, wantDeleted: true, wantChanged: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var a node.Arena
			rhs := a.FromAny(mustDecode(t, tc.rhs))
			before := toJSON(a.ToAny(rhs))
			r := nodeReducer{arena: &a, full: true}
			out, deleted, err := r.reduce(node.Node{}, false, rhs, tc.ann)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := toJSON(a.ToAny(out)), toJSON(mustDecode(t, tc.want)); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			if deleted != tc.wantDeleted || r.changed != tc.wantChanged {
				t.Errorf("deleted=%v changed=%v, want %v %v", deleted, r.changed, tc.wantDeleted, tc.wantChanged)
			}
			if after := toJSON(a.ToAny(rhs)); after != before {
				t.Errorf("the input was modified: %s became %s", before, after)
			}
		})
	}
}
