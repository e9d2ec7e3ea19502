package doc

import (
	"fmt"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// countingValidator counts validations of each document (by its compact JSON) on the way in and out.
type countingValidator struct {
	sch   *schema.Schema
	calls map[string]int
}

func (v *countingValidator) ValidateReduceNode(a *node.Arena, d node.Node) (*schema.Annotation, error) {
	v.calls[string(a.AppendJSON(nil, d))]++
	return v.sch.ValidateReduceNode(a, d)
}

// Flow validates every incoming document once and re-validates only documents that had a
// reduction applied (flow-spec 4.2, "Validation <-> reduction order"): a key seen once costs one
// validation, a key seen n times costs n plus one for the combined document.
func TestCombinerValidatesOnlyReducedDocumentsAgain(t *testing.T) {
	cases := []struct {
		name string
		docs []string
		full bool
		want map[string]int
	}{
		{
			name: "keys seen once, partial drain",
			docs: []string{`{"key":"a","value":1}`, `{"key":"b","value":2}`},
			want: map[string]int{`{"key":"a","value":1}`: 1, `{"key":"b","value":2}`: 1},
		},
		{
			name: "keys seen once, full drain",
			docs: []string{`{"key":"a","value":1}`, `{"key":"b","value":2}`},
			full: true,
			want: map[string]int{`{"key":"a","value":1}`: 1, `{"key":"b","value":2}`: 1},
		},
		{
			name: "a reduced key, partial drain",
			docs: []string{`{"key":"a","value":1}`, `{"key":"a","value":2}`, `{"key":"b","value":5}`},
			want: map[string]int{`{"key":"a","value":1}`: 1, `{"key":"a","value":2}`: 1,
				`{"key":"a","value":3}`: 1, `{"key":"b","value":5}`: 1},
		},
		{
			name: "a reduced key, full drain",
			docs: []string{`{"key":"a","value":1}`, `{"key":"a","value":2}`, `{"key":"a","value":4}`},
			full: true,
			want: map[string]int{`{"key":"a","value":1}`: 1, `{"key":"a","value":2}`: 1,
				`{"key":"a","value":4}`: 1, `{"key":"a","value":7}`: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := &countingValidator{sch: compileSchema(t, sumSchema), calls: map[string]int{}}
			if _, err := combineAll(t, CombinerSpec{Key: keyOf("/key"), Schema: v}, tc.docs, tc.full); err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(v.calls), fmt.Sprint(tc.want); got != want {
				t.Fatalf("validations per document:\n got %s\nwant %s", got, want)
			}
		})
	}
}
