package node_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
)

// randomValue is a JSON value of the form doc works with, biased towards the cases that matter
// for ordering and writing: equal numbers of different kinds, escapes, invalid UTF-8, shared
// prefixes.
func randomValue(rng *rand.Rand, depth int) any {
	switch k := rng.IntN(10); {
	case k == 0:
		return nil
	case k == 1:
		return rng.IntN(2) == 0
	case k <= 4:
		return randomNumber(rng)
	case k <= 6 || depth == 0:
		return randomString(rng)
	case k <= 7:
		out := make([]any, rng.IntN(4))
		for i := range out {
			out[i] = randomValue(rng, depth-1)
		}
		return out
	default:
		out := map[string]any{}
		for range rng.IntN(5) {
			out[randomString(rng)] = randomValue(rng, depth-1)
		}
		return out
	}
}

func randomNumber(rng *rand.Rand) json.Number {
	switch rng.IntN(7) {
	case 0:
		return json.Number(strconv.Itoa(rng.IntN(5) - 2))
	case 1:
		return json.Number(strconv.Itoa(rng.IntN(5)-2) + ".0")
	case 2:
		return json.Number(strconv.FormatUint(rng.Uint64(), 10))
	case 3:
		return json.Number(strconv.FormatInt(-rng.Int64(), 10))
	case 4:
		return json.Number(strconv.FormatFloat(rng.NormFloat64()*1e6, 'g', -1, 64))
	case 5:
		return json.Number(strconv.FormatFloat(math.Float64frombits(rng.Uint64()&^(0x7ff<<52)|(uint64(rng.IntN(2046)+1)<<52)), 'g', -1, 64))
	}
	return []json.Number{"18446744073709551616", "-9223372036854775809", "1e-7", "1.5e16", "9007199254740993", "-0"}[rng.IntN(6)]
}

func randomString(rng *rand.Rand) string {
	parts := []string{"", "a", "b", "ab", "é", "\"", "\\", "\n", "\x01", "\u2028", "<&>", "\xff", "\U0001F600", "k"}
	var s string
	for range rng.IntN(4) {
		s += parts[rng.IntN(len(parts))]
	}
	return s
}

// AppendJSON writes byte for byte what doc.Append writes for the node's ToAny, and what it
// writes decodes to the same node.
func TestAppendJSONMatchesDocAppend(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a node.Arena
	for i := range 5000 {
		v := randomValue(rng, 4)
		n := a.FromAny(v)
		got := a.AppendJSON(nil, n)
		if want := doc.Append(nil, a.ToAny(n)); !bytes.Equal(got, want) {
			t.Fatalf("case %d: AppendJSON %s, doc.Append %s", i, got, want)
		}
		if want := doc.Append(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("case %d: AppendJSON %s, doc.Append of the value %s", i, got, want)
		}
		checkRoundTrip(t, &a, got)
	}
	for _, d := range testdocs.Bench(100, 100) {
		checkRoundTrip(t, &a, d)
	}
}

// checkRoundTrip: what AppendJSON writes of a decoded document decodes to an equal node and is
// written again identically, and it is what doc.Append writes of doc.Decode's value.
func checkRoundTrip(t *testing.T, a *node.Arena, in []byte) {
	t.Helper()
	n, err := a.Decode(in)
	if err != nil {
		return
	}
	out := a.AppendJSON(nil, n)
	if want := doc.Append(nil, mustDecode(t, in)); !bytes.Equal(out, want) {
		t.Fatalf("AppendJSON(Decode(%q)) = %s, doc.Append gives %s", in, out, want)
	}
	again, err := a.Decode(out)
	if err != nil {
		t.Fatalf("Decode(%s) of AppendJSON's output: %v", out, err)
	}
	if a.Compare(n, again) != 0 {
		t.Fatalf("%q wrote %s, which reads back different", in, out)
	}
	if out2 := a.AppendJSON(nil, again); !bytes.Equal(out, out2) {
		t.Fatalf("%q wrote %s, then %s", in, out, out2)
	}
}

func TestAppendJSONNonFinite(t *testing.T) {
	var a node.Arena
	arr := a.ArrayOf([]node.Node{node.FloatNode(math.Inf(1)), node.FloatNode(math.NaN()), node.FloatNode(math.Inf(-1)), node.FloatNode(2.5)})
	if got := string(a.AppendJSON(nil, arr)); got != `[null,null,null,2.5]` {
		t.Fatalf("got %s", got)
	}
}

func FuzzAppendJSON(f *testing.F) {
	for _, in := range decodeCases[:len(decodeCases)-4] {
		f.Add([]byte(in))
	}
	f.Add(testdocs.Bench(1, 1)[0])
	var a node.Arena
	f.Fuzz(func(t *testing.T, b []byte) {
		a.Reset()
		checkRoundTrip(t, &a, b)
	})
}

// Compare agrees with doc.Compare, Copy preserves a node into another arena, and FromAny and
// ToAny are inverse (up to numbers' canonical form).
func TestCompareCopyConvert(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var a, b node.Arena
	for i := range 20000 {
		x, y := randomValue(rng, 3), randomValue(rng, 3)
		if rng.IntN(4) == 0 {
			y = x
		}
		nx, ny := a.FromAny(x), a.FromAny(y)
		if got, want := a.Compare(nx, ny), doc.Compare(x, y); got != want {
			t.Fatalf("case %d: Compare(%s, %s) = %d, doc.Compare %d", i, doc.Append(nil, x), doc.Append(nil, y), got, want)
		}
		if got := a.Compare(nx, nx); got != 0 {
			t.Fatalf("case %d: Compare(x, x) = %d", i, got)
		}
		cx := b.Copy(&a, nx)
		if !bytes.Equal(b.AppendJSON(nil, cx), a.AppendJSON(nil, nx)) {
			t.Fatalf("case %d: Copy wrote %s, the original %s", i, b.AppendJSON(nil, cx), a.AppendJSON(nil, nx))
		}
		if back := a.ToAny(nx); !equalByValue(back, x) || !reflect.DeepEqual(back, a.ToAny(a.FromAny(back))) {
			t.Fatalf("case %d: ToAny(FromAny(%#v)) = %#v", i, x, back)
		}
		if i%1000 == 0 {
			a.Reset()
			b.Reset()
		}
	}
}
