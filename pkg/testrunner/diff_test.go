package testrunner

import (
	"reflect"
	"testing"

	"github.com/flowctl/flowctl/pkg/doc"
)

func decodeAll(t *testing.T, docs ...string) []any {
	t.Helper()
	var out []any
	for _, d := range docs {
		v, err := doc.Decode([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestCompare(t *testing.T) {
	key := []doc.Extractor{{Ptr: doc.MustParsePointer("/k")}}
	tests := []struct {
		name             string
		expected, actual []string
		want             []Mismatch // Expected/Actual documents are not compared
	}{
		{"equal", []string{`{"k":1,"v":"a"}`}, []string{`{"k":1,"v":"a"}`}, nil},
		{"extra actual properties", []string{`{"k":1}`}, []string{`{"k":1,"v":{"w":2}}`}, nil},
		{"uuid masked", []string{`{"k":1,"_meta":{"uuid":"flow-uuid"}}`},
			[]string{`{"k":1,"_meta":{"uuid":"0c43c5b1-bfb4-11d3-8000-017465737473"}}`}, nil},
		{"1 matches 1.0", []string{`{"k":1,"v":1}`}, []string{`{"k":1,"v":1.0}`}, nil},
		{"within epsilon", []string{`{"k":1,"v":0.30000000000000004}`}, []string{`{"k":1,"v":0.3}`}, nil},
		{"0 does not match 0.0", []string{`{"k":1,"v":0}`}, []string{`{"k":1,"v":0.0}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "differs", Diffs: []Diff{{Pointer: "/v", Expected: value("0"), Actual: value("0.0")}}}}},
		{"wrong value", []string{`{"k":1,"v":"a"}`}, []string{`{"k":1,"v":"b"}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "differs", Diffs: []Diff{{Pointer: "/v", Expected: "a", Actual: "b"}}}}},
		{"missing property", []string{`{"k":1,"a/b":true}`}, []string{`{"k":1}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "differs", Diffs: []Diff{{Pointer: "/a~1b", Expected: true, ActualMissing: true}}}}},
		{"array lengths differ", []string{`{"k":1,"v":[1]}`}, []string{`{"k":1,"v":[1,2]}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "differs", Diffs: []Diff{{Pointer: "/v", Expected: []any{value("1")}, Actual: []any{value("1"), value("2")}}}}}},
		{"type differs", []string{`{"k":1,"v":"1"}`}, []string{`{"k":1,"v":1}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "differs", Diffs: []Diff{{Pointer: "/v", Expected: "1", Actual: value("1")}}}}},
		{"missing document", []string{`{"k":1}`, `{"k":2}`}, []string{`{"k":1}`},
			[]Mismatch{{Index: 1, Key: "[2]", Kind: "missing"}}},
		{"unexpected document", []string{`{"k":1}`}, []string{`{"k":1}`, `{"k":3}`},
			[]Mismatch{{Index: 1, Key: "[3]", Kind: "unexpected"}}},
		{"empty expects nothing", nil, []string{`{"k":1}`},
			[]Mismatch{{Index: 0, Key: "[1]", Kind: "unexpected"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := compare(decodeAll(t, tc.expected...), decodeAll(t, tc.actual...), key)
			for i := range got {
				got[i].Expected, got[i].Actual = nil, nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func value(s string) any { v, _ := doc.Decode([]byte(s)); return v }
