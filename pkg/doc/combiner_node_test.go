package doc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// drainLines drains c fully or not, as JSON lines written by AppendJSON, each with its flags.
func drainLines(t *testing.T, c *Combiner, full bool) []string {
	t.Helper()
	var out []string
	err := c.Drain(full, func(d Drained) error {
		line := string(d.AppendJSON(nil))
		if line != toJSON(d.Doc()) {
			return fmt.Errorf("AppendJSON wrote %s, Doc is %s", line, toJSON(d.Doc()))
		}
		out = append(out, fmt.Sprintf("%s key=%x front=%v deleted=%v", line, d.Key, d.Front, d.Deleted))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Feeding bytes (what the runtime does) and feeding decoded values give the same documents, in
// memory and spilled, partially and fully drained.
func TestCombinerAddJSONEqualsAdd(t *testing.T) {
	sch := compileSchema(t, propertySchema)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 20 {
		var docs []string
		for range 200 {
			d := randomDoc(rng)
			docs = append(docs, strings.Replace(d, `"key":"k"`, fmt.Sprintf(`"key":"k%02d"`, rng.IntN(40)), 1))
		}
		front := rng.IntN(len(docs))
		for _, limit := range []int64{0, 1} {
			spec := CombinerSpec{Key: keyOf("/key"), Schema: sch, MemoryLimit: limit, SpillDir: t.TempDir()}
			full := trial%2 == 0
			byBytes, _ := NewCombiner(spec)
			byValue, _ := NewCombiner(spec)
			for i, d := range docs {
				addBytes, addValue := byBytes.AddJSON, byValue.Add
				if i == front {
					addBytes, addValue = byBytes.AddFrontJSON, byValue.AddFront
				}
				errBytes, errValue := addBytes([]byte(d)), addValue(mustDecode(t, d))
				if fmt.Sprint(errBytes) != fmt.Sprint(errValue) {
					t.Fatalf("document %s: AddJSON: %v, Add: %v", d, errBytes, errValue)
				}
			}
			got, want := drainLines(t, byBytes, full), drainLines(t, byValue, full)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("trial %d limit %d: AddJSON drained\n%s\nAdd drained\n%s", trial, limit, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}

func TestCombinerAddJSONRefusesBadBytes(t *testing.T) {
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema)})
	for _, bad := range []string{``, `{"key":`, `{"key":"a"} {}`, `nul`} {
		var notJSON *NotJSONError
		if err := c.AddJSON([]byte(bad)); !errors.As(err, &notJSON) {
			t.Errorf("AddJSON(%q) = %v, want a NotJSONError", bad, err)
		}
		if err := c.AddFrontJSON([]byte(bad)); !errors.As(err, &notJSON) {
			t.Errorf("AddFrontJSON(%q) = %v, want a NotJSONError", bad, err)
		}
	}
	var notJSON *NotJSONError
	if err := c.AddJSON([]byte(`{"key":1}`)); err == nil || errors.As(err, &notJSON) || !strings.Contains(err.Error(), "document is invalid") {
		t.Errorf("an invalid document: error = %v, want the validator's", err)
	}
	if got := drainLines(t, c, true); len(got) != 0 {
		t.Errorf("refused documents were drained: %v", got)
	}
}

// A Combiner reuses its arena from one drain to the next: the same documents take the same
// memory, and nothing of the earlier transaction leaks into the next.
func TestCombinerReusesArenaAcrossDrains(t *testing.T) {
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema)})
	var sizes []int64
	for round := range 3 {
		for i := range 6000 { // 1500 keys: the entry table grows twice
			if err := c.AddJSON(fmt.Appendf(nil, `{"key":"k%04d","value":%d}`, i%1500, round+1)); err != nil {
				t.Fatal(err)
			}
		}
		sizes = append(sizes, c.arena.Size())
		got := drainLines(t, c, true)
		if len(got) != 1500 || !strings.HasPrefix(got[1499], fmt.Sprintf(`{"key":"k1499","value":%d}`, 4*(round+1))) {
			t.Fatalf("round %d drained %d documents, the last %q", round, len(got), got[len(got)-1])
		}
	}
	if sizes[2] != sizes[1] {
		t.Fatalf("arena sizes by round %v: the arena must be reused", sizes)
	}
}

// Strings a Combiner hands out (errors, keys read back) must not alias its arena, whose memory
// the next documents overwrite after a drain.
func TestCombinerErrorsSurviveArenaReset(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","reduce":{"strategy":"merge"},"properties":{
	  "key":{"type":"string"},"n":{"reduce":{"strategy":"sum"}}}}`)
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: sch})
	if err := c.AddJSON([]byte(`{"key":"the-first-key","n":1}`)); err != nil {
		t.Fatal(err)
	}
	err := c.AddJSON([]byte(`{"key":"the-first-key","n":"not a number"}`))
	if err == nil {
		t.Fatal("summing a string must fail")
	}
	want := err.Error()
	if !strings.Contains(want, `"the-first-key"`) || !strings.Contains(want, "not a number") {
		t.Fatalf("error %q must name the key and the value", want)
	}
	var keys [][]byte
	if err := c.Drain(true, func(d Drained) error { keys = append(keys, d.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if err := c.AddJSON(fmt.Appendf(nil, `{"key":"XXXXXXXXXXXXXXXXXXX%d","n":2}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err.Error() != want {
		t.Fatalf("error changed after the arena was reused:\n%s\nwas\n%s", err, want)
	}
	if err := c.Drain(true, func(Drained) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// A destination document loaded after its key's documents were spilled still reduces them fully,
// and keys that mix types still drain in Compare order across runs.
func TestCombinerSpillsFrontAndMixedKeys(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","reduce":{"strategy":"merge"},"properties":{
	  "n":{"type":"integer","reduce":{"strategy":"sum"}}}}`)
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: sch, MemoryLimit: 1, SpillDir: t.TempDir()})
	for _, d := range []string{`{"key":"b","n":1}`, `{"key":2,"n":1}`, `{"key":"b","n":2}`, `{"key":2.0,"n":5}`, `{"key":[1],"n":1}`} {
		if err := c.AddJSON([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddFrontJSON([]byte(`{"key":"b","n":10}`)); err != nil {
		t.Fatal(err)
	}
	if c.spill == nil || len(c.spill.runs) < 5 {
		t.Fatal("every document must have been spilled")
	}
	var got []string
	if err := c.Drain(true, func(d Drained) error {
		got = append(got, fmt.Sprintf("%s front=%v", d.AppendJSON(nil), d.Front))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"key":2.0,"n":6} front=false`, `{"key":"b","n":13} front=true`, `{"key":[1],"n":1} front=false`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("drained\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Add and AddFront take values built outside the decoders (a derivation's published rows): a
// number beyond float64's range, a json.Number that is no number, or a Go type JSON has not is an
// error, as AddJSON's for such bytes, not a null or 0 in the output, nor a panic.
func TestCombinerAddRefusesWhatJSONCannotHold(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","required":["key"],
		"properties":{"key":{"type":"string"},"n":{"type":"number"}}}`)
	c, err := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: sch})
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []map[string]any{
		{"key": "a", "n": json.Number("1e400")},
		{"key": "b", "n": json.Number("0x1f")},
		{"key": "c", "n": 1.5},
	} {
		for name, add := range map[string]func(any) error{"Add": c.Add, "AddFront": c.AddFront} {
			var notJSON *NotJSONError
			if err := add(doc); !errors.As(err, &notJSON) {
				t.Errorf("%s(%v) = %v, want a NotJSONError", name, doc, err)
			}
		}
	}
	if got := drainLines(t, c, true); len(got) != 0 {
		t.Fatalf("refused documents were held: %v", got)
	}
	if out, err := Reduce(nil, map[string]any{"n": json.Number("1e400")}, false, nil, true); err == nil {
		t.Fatalf("Reduce of 1e400 = %v, want an error", out)
	}
}

// After a spill nothing is held, so the next run fills the limit again: memory the Combiner keeps
// for reuse (the arena's chunks, the entries' and table's capacity) must not count as held, or
// once it alone passes the limit every document spills a run of its own.
func TestCombinerRunsFillTheLimit(t *testing.T) {
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema), MemoryLimit: 1 << 20, SpillDir: t.TempDir()})
	const docs = 20000
	var added int64
	for i := range docs {
		d := fmt.Appendf(nil, `{"key":"k%07d","value":1}`, i)
		added += int64(len(d))
		if err := c.AddJSON(d); err != nil {
			t.Fatal(err)
		}
	}
	// Held documents cost a few times their JSON; a run holds at least a fifth of the limit.
	if runs := len(c.spill.runs); runs > int(5*added*5/(1<<20))+1 {
		t.Fatalf("%d documents (%d bytes of JSON) spilled %d runs under a 1 MiB limit", docs, added, runs)
	}
	n := 0
	if err := c.Drain(false, func(Drained) error { n++; return nil }); err != nil || n != docs {
		t.Fatalf("drained %d documents, error %v", n, err)
	}
}

// A drain keeps memory for the next transaction only up to a bound: one large transaction must not
// leave a Combiner holding its entries and table for good.
func TestCombinerReleasesLargeTransactions(t *testing.T) {
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema)})
	for i := range 200000 {
		if err := c.AddJSON(fmt.Appendf(nil, `{"key":"k%07d","value":1}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Drain(false, func(Drained) error { return nil }); err != nil {
		t.Fatal(err)
	}
	kept := c.arena.Capacity() + int64(cap(c.entries))*int64(unsafe.Sizeof(entry{})) + int64(cap(c.table.slots))*4
	if kept > keptAfterDrain {
		t.Fatalf("kept %d bytes after draining, more than %d", kept, keptAfterDrain)
	}
	if err := c.AddJSON([]byte(`{"key":"a","value":1}`)); err != nil {
		t.Fatal(err)
	}
	if got := drainLines(t, c, false); len(got) != 1 {
		t.Fatalf("after a release, drained %v", got)
	}
}

// Keys of every type, equal by value across kinds (20 and 20.0, 0 and -0.0), some arriving only
// after the first runs were spilled ordered by packed bytes: spilling every document gives what
// holding them in memory gives, in Flow's order of keys.
func TestCombinerSpillMixedKeys(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","reduce":{"strategy":"merge"},"required":["key"],
	"properties":{"n":{"type":"integer","reduce":{"strategy":"sum"}}}}`)
	pool := []string{`20`, `20.0`, `-0.0`, `0`, `"a"`, `"b"`, `[1]`, `[1.0]`, `{"a":1}`, `null`, `true`, `false`,
		`18446744073709551615`, `1.8446744073709552e19`, `-5`, `-5.0`, `0.5`, `"20"`, `[]`, `{}`}
	for trial := range 30 {
		rng := rand.New(rand.NewPCG(uint64(trial), 9))
		var docs []string
		n := 5 + rng.IntN(60)
		for i := range n {
			k := pool[rng.IntN(len(pool))]
			if i < n/2 && trial%2 == 0 { // strings only at first: runs spilled in packed order
				k = fmt.Sprintf(`"s%d"`, rng.IntN(5))
			}
			docs = append(docs, fmt.Sprintf(`{"key":%s,"n":%d}`, k, rng.IntN(3)))
		}
		for _, full := range []bool{false, true} {
			var outs [2][]string
			for i, limit := range []int64{0, 1} {
				var err error
				if outs[i], err = combineAll(t, CombinerSpec{Key: keyOf("/key"), Schema: sch, MemoryLimit: limit, SpillDir: t.TempDir()}, docs, full); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Join(outs[0], "\n") != strings.Join(outs[1], "\n") {
				t.Fatalf("trial %d full %v: in memory\n%s\nspilled\n%s", trial, full, strings.Join(outs[0], "\n"), strings.Join(outs[1], "\n"))
			}
			for i := 1; i < len(outs[0]); i++ {
				x, y := mustDecode(t, outs[0][i-1]).(map[string]any)["key"], mustDecode(t, outs[0][i]).(map[string]any)["key"]
				if Compare(x, y) >= 0 {
					t.Fatalf("trial %d: %s drained before %s", trial, outs[0][i-1], outs[0][i])
				}
			}
		}
	}
}
