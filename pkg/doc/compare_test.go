package doc

import (
	"cmp"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

func TestCompareOrder(t *testing.T) {
	// Each value orders strictly before the next.
	ascending := []string{
		`null`, `false`, `true`,
		`-9223372036854775808`, `-20.5`, `-20`, `-1`, `0`, `0.5`, `1`, `10`, `20.5`,
		`9007199254740993`, `18446744073709551615`, `1e20`,
		`""`, `"foo"`, `"foobar"`, `"fp"`,
		`[]`, `[1,2]`, `[1,2,3]`, `[1,3]`,
		`{}`, `{"a":1}`, `{"a":1,"b":2}`, `{"a":1,"b":3}`, `{"a":1,"c":1}`, `{"b":2}`,
	}
	for i := range ascending {
		for j := range ascending {
			a, b := mustDecode(t, ascending[i]), mustDecode(t, ascending[j])
			want := cmp.Compare(i, j)
			if got := Compare(a, b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ascending[i], ascending[j], got, want)
			}
		}
	}
}

func TestCompareEqualNumbers(t *testing.T) {
	for _, pair := range [][2]string{{`20`, `20.0`}, {`-20`, `-20.00`}, {`0`, `-0.0`}, {`1e2`, `100`}, {`18446744073709551615`, `18446744073709551615`}} {
		if c := Compare(mustDecode(t, pair[0]), mustDecode(t, pair[1])); c != 0 {
			t.Errorf("Compare(%s, %s) = %d, want 0", pair[0], pair[1], c)
		}
	}
	// 2^53+1 is not a float, so it must not equal 2^53 as a float.
	if c := Compare(mustDecode(t, `9007199254740993`), mustDecode(t, `9007199254740992.0`)); c != 1 {
		t.Errorf("exact integer comparison lost precision: got %d", c)
	}
}

func TestCompareAtMissingFirst(t *testing.T) {
	var a node.Arena
	d1 := a.FromAny(mustDecode(t, `{"a":null,"c":3}`))
	d2 := a.FromAny(mustDecode(t, `{"b":2}`))
	cases := []struct {
		ptr  string
		want int
	}{{"/does/not/exist", 0}, {"/c", 1}, {"/b", -1}, {"/a", 1}}
	for _, c := range cases {
		if got := compareAt(&a, []Pointer{MustParsePointer(c.ptr)}, d1, d2); got != c.want {
			t.Errorf("compareAt(%s) = %d, want %d", c.ptr, got, c.want)
		}
	}
}
