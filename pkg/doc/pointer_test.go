package doc

import (
	"strings"
	"testing"
)

func TestPointer(t *testing.T) {
	d := mustDecode(t, `{"a":{"b/c":[10,{"~x":true}]},"":"empty","0":"zero"}`)
	cases := []struct {
		ptr    string
		want   string
		exists bool
	}{
		{"", toJSON(d), true},
		{"/a/b~1c/0", "10", true},
		{"/a/b~1c/1/~0x", "true", true},
		{"/a/b~1c/01", "", false},
		{"/a/b~1c/2", "", false},
		{"/a/b~1c/-", "", false},
		{"/", `"empty"`, true},
		{"/0", `"zero"`, true},
		{"/a/missing", "", false},
		{"/a/b~1c/0/deeper", "", false},
	}
	for _, c := range cases {
		p, err := ParsePointer(c.ptr)
		if err != nil {
			t.Fatalf("ParsePointer(%q): %v", c.ptr, err)
		}
		if p.String() != c.ptr {
			t.Errorf("String() = %q, want %q", p.String(), c.ptr)
		}
		v, ok := p.Query(d)
		if ok != c.exists || (ok && toJSON(v) != c.want) {
			t.Errorf("Query(%q) = %s, %v; want %s, %v", c.ptr, toJSON(v), ok, c.want, c.exists)
		}
	}
}

func TestParsePointerErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a/b", "missing leading '/'"},
		{"/a~2", "'~' not followed by 0 or 1"},
		{"/a~", "'~' not followed by 0 or 1"},
	} {
		_, err := ParsePointer(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePointer(%q) error = %v, want %q", c.in, err, c.want)
		}
	}
}
