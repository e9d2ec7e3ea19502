package derive

import (
	"reflect"
	"testing"
)

func TestSQLValue(t *testing.T) {
	tests := []struct {
		in               any
		format, encoding string
		want             any
	}{
		{nil, "", "", nil},
		{true, "", "", int64(1)},
		{false, "", "", int64(0)},
		{jsonNumber("42"), "", "", int64(42)},
		{jsonNumber("18446744073709551615"), "", "", float64(18446744073709551615)},
		{jsonNumber("1.5"), "", "", 1.5},
		{"12", "integer", "", int64(12)},
		{"twelve", "integer", "", "twelve"},
		{"1e3", "number", "", 1000.0},
		{"aGk=", "", "base64", []byte("hi")},
		{"plain", "", "", "plain"},
		{map[string]any{"b": jsonNumber("1"), "a": []any{"x"}}, "", "", `{"a":["x"],"b":1}`},
	}
	for _, tc := range tests {
		if got := sqlValue(tc.in, tc.format, tc.encoding); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("sqlValue(%v, %q, %q) = %#v, want %#v", tc.in, tc.format, tc.encoding, got, tc.want)
		}
	}
}
