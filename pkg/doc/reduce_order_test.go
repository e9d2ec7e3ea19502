package doc

import (
	"errors"
	"testing"
)

// Properties are reduced in map order, which Go randomises; the error reported must still be the
// one at the first failing location in property order, as Flow (which walks sorted objects)
// reports it. Each case runs many times so a random order would show.
func TestReduceErrorIsFirstInPropertyOrder(t *testing.T) {
	sumAt := func(names ...string) []any {
		var kids []any
		for _, n := range names {
			kids = append(kids, n, strat(s("sum")))
		}
		return kids
	}
	ann := strat(s("merge"), append(sumAt("a", "b", "c", "d", "e", "f"),
		"o", strat(s("merge"), sumAt("x", "y", "z")...))...)
	cases := []struct {
		name      string
		lhs       string // "" reduces rhs alone, fully
		rhs       string
		wantPtr   string
		wantError error
	}{
		{"all fail", `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}`,
			`{"f":"x","e":"x","d":"x","c":"x","b":"x","a":"x"}`, "/a", ErrSumWrongType},
		{"later ones fail", `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}`,
			`{"a":2,"b":2,"c":"x","d":"x","e":"x","f":"x"}`, "/c", ErrSumWrongType},
		{"nested before later", `{"o":{"x":1,"y":1},"f":1}`,
			`{"f":"x","o":{"y":"x","x":"x"}}`, "/f", ErrSumWrongType},
		{"nested first", `{"o":{"x":1,"y":1},"a":1}`,
			`{"a":2,"o":{"z":1,"y":"x","x":"x"}}`, "/o/x", ErrSumWrongType},
		{"alone", "", `{"f":"x","c":"x","e":"x","o":{"z":"x"}}`, "/c", ErrSumWrongType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				lhs, lhsOK := any(nil), tc.lhs != ""
				if lhsOK {
					lhs = mustDecode(t, tc.lhs)
				}
				_, err := Reduce(lhs, mustDecode(t, tc.rhs), lhsOK, ann, !lhsOK)
				var re *ReduceError
				if !errors.As(err, &re) || re.Ptr != tc.wantPtr || !errors.Is(err, tc.wantError) {
					t.Fatalf("error = %v, want %v at %s", err, tc.wantError, tc.wantPtr)
				}
			}
		})
	}
}
