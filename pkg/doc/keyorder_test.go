package doc

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

// keyPool is a mix of values where packed bytes and Compare disagree (ints vs integral floats,
// -0.0, strings vs numbers, arrays and objects as JSON bytes) and where they agree.
var keyPool = []string{
	`null`, `true`, `false`,
	`0`, `-0`, `1`, `2`, `9`, `10`, `20`, `255`, `256`, `-1`, `-255`, `-256`, `-9223372036854775808`,
	`9223372036854775807`, `9223372036854775808`, `18446744073709551615`,
	`0.0`, `-0.0`, `0.5`, `-0.5`, `20.0`, `2e1`, `1e300`, `-1e300`, `18446744073709551616`, `1e400`,
	`""`, `"a"`, `"a\u0000"`, `"a\u0000b"`, `"ab"`, `"b"`, `"é"`, `"10"`, `"9"`,
	`[]`, `[9]`, `[10]`, `[1,2]`, `{}`, `{"a":1}`, `{"a":2}`, `{"b":0}`,
}

func randomKeyValue(rng *rand.Rand, pool []string) any {
	return mustDecode(nil, pool[rng.IntN(len(pool))])
}

// Wherever admitNode says packed bytes keep Compare's order, they must order (and equate) every
// pair of keys exactly as compareTuples does, and a packed key must read back to equal values.
func TestPackedKeyOrderMatchesCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	admitted, rejected := 0, 0
	for range 200_000 {
		a := []any{randomKeyValue(rng, keyPool), randomKeyValue(rng, keyPool)}
		b := []any{randomKeyValue(rng, keyPool), randomKeyValue(rng, keyPool)}
		pa, pb := packAll(a), packAll(b)
		for _, k := range [][]any{a, b} {
			back, err := keyValues(packAll(k))
			if err != nil || compareTuples(back, k) != 0 {
				t.Fatalf("key %s read back as %s, %v", toJSON(k), toJSON(back), err)
			}
		}
		classes := make([]keyClass, 2)
		inOrder := true
		var arena node.Arena
		for _, k := range [][]any{a, b} {
			for i, v := range k {
				n := arena.FromAny(v)
				inOrder = admitNode(&classes[i], n) && inOrder
				if got, want := string(PackValueNode(nil, &arena, n)), string(PackValue(nil, v)); got != want {
					t.Fatalf("%s packs as %x from a node, %x from its value", toJSON(v), got, want)
				}
			}
		}
		if !inOrder {
			rejected++
			continue
		}
		admitted++
		if got, want := strings.Compare(pa, pb), compareTuples(a, b); got != want {
			t.Fatalf("keys %s and %s: packed order %d, Compare %d", toJSON(a), toJSON(b), got, want)
		}
	}
	if admitted < 1000 || rejected < 1000 {
		t.Fatalf("the generator must exercise both cases: %d admitted, %d rejected", admitted, rejected)
	}
}

func packAll(key []any) string {
	var buf []byte
	for _, v := range key {
		buf = PackValue(buf, v)
	}
	return string(buf)
}

// Whatever mix of key types arrives, in memory or spilled, the combiner groups keys that Compare
// equal (20 with 20.0) and drains them in Compare order, switching from packed order when needed.
func TestCombinerKeyOrderProperty(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","reduce":{"strategy":"merge"},
		"properties":{"n":{"type":"integer","reduce":{"strategy":"sum"}}}}`)
	pools := map[string][]string{
		"strings":          {`"a"`, `"a\u0000"`, `"ab"`, `"b"`, `"é"`, `""`, `"10"`, `"9"`},
		"integers":         {`0`, `-0`, `1`, `10`, `9`, `-1`, `-256`, `18446744073709551615`, `-9223372036854775808`},
		"integers, nulls":  {`null`, `1`, `-1`, `300`, `2`},
		"booleans":         {`true`, `false`, `null`},
		"mixed scalars":    {`"a"`, `1`, `true`, `"10"`, `9`, `null`, `false`, `-4`},
		"ints then floats": {`1`, `20`, `-3`, `20.0`, `2e1`, `-0.0`, `0`, `0.5`},
		"everything":       slices.DeleteFunc(slices.Clone(keyPool), func(v string) bool { return v == `1e400` }),
	}
	// A literal beyond f64's range is held as infinity, which JSON cannot write (Flow's serde_json
	// refuses such a document), so it cannot be drained and read back as a key.
	for name, pool := range pools {
		for _, limit := range []int64{0, 2 << 10} {
			t.Run(fmt.Sprintf("%s/limit=%d", name, limit), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(limit)))
				c, err := NewCombiner(CombinerSpec{Key: keyOf("/k", "/j"), Schema: sch, MemoryLimit: limit, SpillDir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				type group struct {
					key []any
					sum int
				}
				var want []group
				for range 1500 {
					// Keys of a list pool come first, so a combiner in packed order meets them later.
					key := []any{randomKeyValue(rng, pool), randomKeyValue(rng, pools["integers"])}
					n := rng.IntN(5)
					d := map[string]any{"k": key[0], "j": key[1], "n": mustDecode(t, fmt.Sprint(n))}
					if err := c.Add(d); err != nil {
						t.Fatal(err)
					}
					i := 0
					for i < len(want) && compareTuples(want[i].key, key) != 0 {
						i++
					}
					if i == len(want) {
						want = append(want, group{key: key})
					}
					want[i].sum += n
				}
				var got []group
				err = c.Drain(true, func(d Drained) error {
					doc := d.Doc()
					key := ExtractKey(doc, keyOf("/k", "/j"))
					if len(got) > 0 && compareTuples(got[len(got)-1].key, key) >= 0 {
						return fmt.Errorf("drained %s after %s", toJSON(key), toJSON(got[len(got)-1].key))
					}
					sum, err := strconv.Atoi(toJSON(doc.(map[string]any)["n"]))
					if err != nil {
						return err
					}
					got = append(got, group{key: key, sum: sum})
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("drained %d keys, want %d", len(got), len(want))
				}
				for _, w := range want {
					i := 0
					for i < len(got) && compareTuples(got[i].key, w.key) != 0 {
						i++
					}
					if i == len(got) || got[i].sum != w.sum {
						t.Fatalf("key %s: drained %+v, want sum %d", toJSON(w.key), got, w.sum)
					}
				}
			})
		}
	}
}
