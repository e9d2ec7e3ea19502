package derive

import (
	"math"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/node"
)

func TestAppendDocument(t *testing.T) {
	params := []param{{name: "$a$b", field: "a/b"}}
	tests := []struct {
		columns []string
		values  []any
		want    string
	}{
		{[]string{"z", "a", "m"}, []any{int64(1), int64(-9223372036854775808), nil}, `{"a":-9223372036854775808,"m":null,"z":1}`},
		// Of two columns naming one property the last wins, as in a JSON object.
		{[]string{"x", "y", "x"}, []any{int64(1), true, "later"}, `{"x":"later","y":true}`},
		{[]string{"$a$b"}, []any{"v"}, `{"a/b":"v"}`},
		{[]string{"f", "g", "h", "i", "j", "k"}, []any{2.0, math.Copysign(0, -1), 1e16, 1.5e-7, math.NaN(), math.Inf(-1)},
			`{"f":2.0,"g":-0.0,"h":1e16,"i":1.5e-7,"j":"NaN","k":"-Inf"}`},
		{[]string{"blob", "at"}, []any{[]byte{0xca, 0xfe}, time.Date(2024, 5, 1, 12, 0, 0, 5, time.FixedZone("x", 3600))},
			`{"at":"2024-05-01T11:00:00.000000005Z","blob":"yv4="}`},
		// TEXT that looks like an object or array and parses is embedded, canonically written.
		{[]string{"o", "a", "s", "n"}, []any{`{"b": 1.50, "a": [1e2]}`, `[1, "x"]`, `[not json`, `12`},
			`{"a":[1,"x"],"n":"12","o":{"a":[100.0],"b":1.5},"s":"[not json"}`},
		// Flow's serde_json does not parse a number beyond f64's range: the text stays a string.
		{[]string{"big"}, []any{`[1e400]`}, `{"big":"[1e400]"}`},
		{[]string{"k", "e"}, []any{"quote\" é \u0001", ""}, `{"e":"","k":"quote\" é \u0001"}`},
		// A whole-document column embeds any JSON, and is a string when it does not parse.
		{[]string{"JSON_doc"}, []any{`{"id": 1}`}, `{"id":1}`},
		{[]string{"json"}, []any{`42`}, `42`},
		{[]string{"json"}, []any{`{"id"`}, `"{\"id\""`},
		{[]string{"json"}, []any{int64(3)}, `3`},
	}
	for _, tc := range tests {
		var a node.Arena
		got := string(newOutputShape(tc.columns, params).appendDocument(nil, &a, tc.values))
		if got != tc.want {
			t.Errorf("columns %v values %v: got %s, want %s", tc.columns, tc.values, got, tc.want)
		}
	}
}
