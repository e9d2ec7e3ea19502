package doc

import (
	"strings"
	"testing"
)

func TestDecodeAppendRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{
		{`null`, `null`},
		{` true `, `true`},
		{`{"b":1,"a":[1,2,{"d":null,"c":"x"}]}`, `{"a":[1,2,{"c":"x","d":null}],"b":1}`},
		{`"<tag>&\u2028"`, "\"<tag>&\u2028\""},
		{`"tab\tnl\nq\"bs\\ctl\u0001"`, `"tab\tnl\nq\"bs\\ctl\u0001"`},
		{`1.50`, `1.5`},
		{`1e2`, `100.0`},
		{`-0`, `-0.0`}, // serde_json reads -0 as the float -0.0
		{`0.0000001`, `1e-7`},
		{`123456789012345678901`, `1.2345678901234568e20`},
		{`18446744073709551615`, `18446744073709551615`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`1.7976931348623157e308`, `1.7976931348623157e308`},
		{`0.001`, `0.001`},
		{`[]`, `[]`},
		{`{}`, `{}`},
	}
	for _, c := range cases {
		v, err := Decode([]byte(c.in))
		if err != nil {
			t.Fatalf("Decode(%s): %v", c.in, err)
		}
		if got := toJSON(v); got != c.want {
			t.Errorf("Append(Decode(%s)) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, "expected a JSON value, found nothing"},
		{`{"a":`, "invalid JSON"},
		{`1 2`, "unexpected data after the value"},
		{`{"a":1}}`, "unexpected data after the value"},
		{`[1,]`, "invalid JSON"},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q) error = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

// FuzzDecode checks that whatever Decode accepts, Append writes as JSON that decodes to an equal
// value and is a fixed point.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x"]}`, `null`, `"\u0000"`, `1e400`, `[{"":{}}]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		out := Append(nil, v)
		v2, err := Decode(out)
		if err != nil {
			t.Fatalf("Append wrote invalid JSON %s for input %q: %v", out, b, err)
		}
		if Compare(v, v2) != 0 {
			t.Fatalf("round trip changed %q into %s", b, out)
		}
		if again := Append(nil, v2); string(again) != string(out) {
			t.Fatalf("Append is not a fixed point: %s then %s", out, again)
		}
	})
}
