package node

import (
	"encoding/json"
	"strings"
	"testing"
)

// FromValue takes values from outside the module's decoders: what a node cannot hold as the
// value means is an error, never a panic or a silently different value (null for 1e400, 0 for a
// json.Number that is no number).
func TestFromValue(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string // the node's JSON, or the error's text
	}{
		{map[string]any{"a": []any{json.Number("1.50"), "x", true, nil}}, `{"a":[1.5,"x",true,null]}`},
		{json.Number("-0"), `-0.0`},
		{json.Number("123456789012345678901234567890"), `1.2345678901234568e29`},
		{json.Number("1e400"), `number 1e400 is out of range`},
		{map[string]any{"n": json.Number("-1e400")}, `number -1e400 is out of range`},
		{[]any{json.Number("0x1f")}, `"0x1f" is not a JSON number`},
		{json.Number(""), `"" is not a JSON number`},
		{json.Number("1."), `"1." is not a JSON number`},
		{json.Number("1 "), `"1 " is not a JSON number`},
		{map[string]any{"f": 1.5}, `float64 is not a JSON value`},
		{[]string{"a"}, `[]string is not a JSON value`},
	} {
		var a Arena
		n, err := a.FromValue(tc.in)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = string(a.AppendJSON(nil, n))
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("FromValue(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// Invalid UTF-8 is read as Decode reads it, each bad byte a U+FFFD, so that a value and its JSON
// make the same node (compare, and pack keys, the same).
func TestFromValueRepairsUTF8(t *testing.T) {
	var a Arena
	v, err := a.FromValue(map[string]any{"a\xffb": []any{"\xed\xa0\x80x\xc3", "ok é"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.Decode([]byte("{\"a\xffb\":[\"\xed\xa0\x80x\xc3\",\"ok é\"]}"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Compare(v, d) != 0 {
		t.Fatalf("FromValue made %q, Decode %q", a.Str(a.Fields(v)[0].Name), a.Str(a.Fields(d)[0].Name))
	}
}
