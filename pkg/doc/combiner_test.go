package doc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

func compileSchema(t testing.TB, src string) *schema.Schema {
	t.Helper()
	ix := schema.NewIndex()
	if err := ix.Add("test://schema.json", mustDecode(t, src)); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Compile("test://schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keyOf(ptrs ...string) []Extractor {
	var out []Extractor
	for _, p := range ptrs {
		out = append(out, Extractor{Ptr: MustParsePointer(p)})
	}
	return out
}

// combineAll adds docs and drains, returning drained documents as JSON lines.
func combineAll(t testing.TB, spec CombinerSpec, docs []string, full bool) ([]string, error) {
	t.Helper()
	c, err := NewCombiner(spec)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if err := c.Add(mustDecode(t, d)); err != nil {
			return nil, fmt.Errorf("doc %d: %w", i, err)
		}
	}
	var out []string
	err = c.Drain(full, func(d Drained) error {
		line := toJSON(d.Doc())
		if d.Deleted {
			line += " (deleted)"
		}
		out = append(out, line)
		return nil
	})
	return out, err
}

const sumSchema = `{"type":"object","reduce":{"strategy":"merge"},"required":["key"],
	"properties":{"key":{"type":"string"},"value":{"type":"number","reduce":{"strategy":"sum"}}}}`

func TestCombinerSumExample(t *testing.T) {
	spec := CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema)}
	got, err := combineAll(t, spec, []string{
		`{"key":"k","value":5}`, `{"key":"a","value":1}`, `{"key":"k","value":-1.2}`,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`{"key":"a","value":1}`, `{"key":"k","value":3.8}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// flow-spec 4.3 Ex. 3: a counter reset through oneOf, so annotations depend on the document.
func TestCombinerResetCounter(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","required":["key","action"],"properties":{"key":{"type":"string"}},
	  "oneOf":[
	    {"properties":{"action":{"const":"reset"}},"reduce":{"strategy":"lastWriteWins"}},
	    {"properties":{"action":{"const":"sum","reduce":{"strategy":"firstWriteWins"}},"value":{"reduce":{"strategy":"sum"}}},
	     "reduce":{"strategy":"merge"}}]}`)
	spec := CombinerSpec{Key: keyOf("/key"), Schema: sch}
	got, err := combineAll(t, spec, []string{
		`{"key":"c","action":"sum","value":5}`,
		`{"key":"c","action":"sum","value":-1.2}`,
	}, true)
	if err != nil || got[0] != `{"action":"sum","key":"c","value":3.8}` {
		t.Fatalf("got %v, %v", got, err)
	}
	got, err = combineAll(t, spec, []string{
		`{"key":"c","action":"sum","value":5}`,
		`{"key":"c","action":"reset","value":0}`,
		`{"key":"c","action":"sum","value":1.3}`,
	}, true)
	if err != nil || got[0] != `{"action":"reset","key":"c","value":1.3}` {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestCombinerErrors(t *testing.T) {
	spec := CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t,
		`{"type":"object","reduce":{"strategy":"merge"},"required":["key"],
		  "properties":{"key":{"type":"string"},"n":{"type":"integer","maximum":10,"reduce":{"strategy":"sum"}}}}`)}
	_, err := combineAll(t, spec, []string{`{"key":"a","n":"x"}`}, true)
	if err == nil || !strings.Contains(err.Error(), "document is invalid") || !strings.Contains(err.Error(), "/n") {
		t.Fatalf("invalid input: error = %v", err)
	}
	// Each document is valid, but their sum breaks the maximum.
	_, err = combineAll(t, spec, []string{`{"key":"a","n":6}`, `{"key":"a","n":6}`}, true)
	if err == nil || !strings.Contains(err.Error(), "combined document is invalid") || !strings.Contains(err.Error(), "maximum") {
		t.Fatalf("invalid combination: error = %v", err)
	}
	if _, err := NewCombiner(CombinerSpec{Schema: spec.Schema}); err == nil {
		t.Fatal("a combiner without a key must be refused")
	}
}

func TestCombinerFrontAndDeletes(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","required":["key"],"properties":{"key":{"type":"string"},
	  "n":{"type":"integer","reduce":{"strategy":"sum"}},
	  "gone":{"type":"boolean"}},
	  "if":{"required":["gone"]},"then":{"reduce":{"strategy":"lastWriteWins","delete":true}},
	  "else":{"reduce":{"strategy":"merge"}}}`)
	c, err := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: sch})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{`{"key":"a","n":1}`, `{"key":"b","n":2}`, `{"key":"b","gone":true}`} {
		if err := c.Add(mustDecode(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddFront(mustDecode(t, `{"key":"a","n":10}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.AddFront(mustDecode(t, `{"key":"a","n":10}`)); err == nil {
		t.Fatal("a second front document of one key must be refused")
	}
	var got []string
	err = c.Drain(true, func(d Drained) error {
		got = append(got, fmt.Sprintf("%s front=%v deleted=%v", toJSON(d.Doc()), d.Front, d.Deleted))
		return nil
	})
	want := []string{`{"key":"a","n":11} front=true deleted=false`, `{"gone":true,"key":"b"} front=false deleted=true`}
	if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
}

func TestCombinerKeepsNonAssociativeDocuments(t *testing.T) {
	sch := compileSchema(t, `{"type":"object","reduce":{"strategy":"merge"},"properties":{
	  "key":{"type":"integer"},"v":{"reduce":{"strategy":"lastWriteWins","associative":false}}}}`)
	spec := CombinerSpec{Key: keyOf("/key"), Schema: sch}
	docs := []string{`{"key":1,"v":"a"}`, `{"key":1.0,"v":"b"}`, `{"key":1,"v":"b","w":1}`}
	got, err := combineAll(t, spec, docs, false)
	if err != nil || len(got) != 2 || got[0] != `{"key":1,"v":"a"}` || got[1] != `{"key":1,"v":"b","w":1}` {
		t.Fatalf("partial drain = %v, %v; want both documents kept", got, err)
	}
	got, err = combineAll(t, spec, docs, true)
	if err != nil || len(got) != 1 || got[0] != `{"key":1,"v":"b","w":1}` {
		t.Fatalf("full drain = %v, %v", got, err)
	}
}

// propertySchema mixes every associative strategy.
const propertySchema = `{"type":"object","reduce":{"strategy":"merge"},"required":["key"],"properties":{
  "key":{"type":"string"},
  "total":{"type":"integer","reduce":{"strategy":"sum"}},
  "hi":{"type":"integer","reduce":{"strategy":"maximize"}},
  "lo":{"type":"integer","reduce":{"strategy":"minimize"}},
  "first":{"type":"string","reduce":{"strategy":"firstWriteWins"}},
  "last":{"type":"string"},
  "log":{"type":"array","reduce":{"strategy":"append"}},
  "best":{"type":"object","reduce":{"strategy":"maximize","key":["/score"]},
          "properties":{"hits":{"type":"integer","reduce":{"strategy":"sum"}}}},
  "sorted":{"type":"array","items":{"type":"integer"},"reduce":{"strategy":"merge","key":[""]}},
  "tags":{"type":"object","reduce":{"strategy":"set"},
          "properties":{"add":{"type":"object","additionalProperties":{"type":"integer","reduce":{"strategy":"sum"}}}},
          "additionalProperties":{"type":"object"}},
  "nested":{"type":"object","reduce":{"strategy":"merge"},"additionalProperties":{"type":"integer","reduce":{"strategy":"sum"}}}
}}`

func randomDoc(rng *rand.Rand) string {
	var parts []string
	add := func(name, value string) {
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("%q:%s", name, value))
		}
	}
	add("total", fmt.Sprint(rng.IntN(20)-10))
	add("hi", fmt.Sprint(rng.IntN(100)))
	add("lo", fmt.Sprint(rng.IntN(100)))
	add("first", fmt.Sprintf("%q", fmt.Sprint("f", rng.IntN(5))))
	add("last", fmt.Sprintf("%q", fmt.Sprint("l", rng.IntN(5))))
	add("log", fmt.Sprintf("[%d]", rng.IntN(9)))
	add("best", fmt.Sprintf(`{"score":%d,"hits":1,"x":%d}`, rng.IntN(3), rng.IntN(9)))
	add("sorted", fmt.Sprintf("[%d,%d]", rng.IntN(5), 5+rng.IntN(5)))
	members := func() string {
		return fmt.Sprintf(`{"m%d":%d,"m%d":%d}`, rng.IntN(4), rng.IntN(3), 4+rng.IntN(4), rng.IntN(3))
	}
	switch rng.IntN(4) {
	case 0:
		add("tags", fmt.Sprintf(`{"add":%s}`, members()))
	case 1:
		add("tags", fmt.Sprintf(`{"add":%s,"remove":%s}`, members(), members()))
	case 2:
		add("tags", fmt.Sprintf(`{"intersect":%s}`, members()))
	}
	add("nested", fmt.Sprintf(`{"a":%d,"b%d":1}`, rng.IntN(5), rng.IntN(3)))
	parts = append(parts, `"key":"k"`)
	return "{" + strings.Join(parts, ",") + "}"
}

// Any grouping of partial reductions followed by one full reduction equals the sequential full
// reduction: this is what lets combiners reduce in any number of stages.
func TestReductionAssociativityProperty(t *testing.T) {
	sch := compileSchema(t, propertySchema)
	rng := rand.New(rand.NewPCG(42, 7))
	reduceWith := func(lhs any, lhsOK bool, rhsJSON string, full bool) any {
		rhs := mustDecode(t, rhsJSON)
		ann, err := sch.ValidateReduce(rhs)
		if err != nil {
			t.Fatalf("fixture %s is invalid: %v", rhsJSON, err)
		}
		out, err := Reduce(lhs, rhs, lhsOK, ann, full)
		if err != nil {
			t.Fatalf("reducing %s into %s: %v", rhsJSON, toJSON(lhs), err)
		}
		return out
	}
	for trial := range 300 {
		docs := make([]string, 2+rng.IntN(8))
		for i := range docs {
			docs[i] = randomDoc(rng)
		}
		// Sequential: the first document is the root-most (reduced fully on its own, as a
		// combiner's full drain does), and each next one reduces fully into it.
		seq := reduceWith(nil, false, docs[0], true)
		for _, d := range docs[1:] {
			seq = reduceWith(seq, true, d, true)
		}
		// Grouped: random contiguous groups reduce partially, then fold fully.
		var groups []string
		for i := 0; i < len(docs); {
			n := 1 + rng.IntN(len(docs)-i)
			acc := mustDecode(t, docs[i])
			for _, d := range docs[i+1 : i+n] {
				acc = reduceWith(acc, true, d, false)
			}
			groups = append(groups, toJSON(acc))
			i += n
		}
		grouped := reduceWith(nil, false, groups[0], true)
		for _, g := range groups[1:] {
			grouped = reduceWith(grouped, true, g, true)
		}
		if toJSON(seq) != toJSON(grouped) {
			t.Fatalf("trial %d: docs %v grouped as %v\nsequential %s\ngrouped    %s", trial, docs, groups, toJSON(seq), toJSON(grouped))
		}
	}
}

// Spilling many small runs must give exactly what combining in memory gives.
func TestCombinerSpillEqualsInMemory(t *testing.T) {
	sch := compileSchema(t, propertySchema)
	rng := rand.New(rand.NewPCG(1, 2))
	var docs []string
	for range 3000 {
		d := randomDoc(rng)
		docs = append(docs, strings.Replace(d, `"key":"k"`, fmt.Sprintf(`"key":"k%03d"`, rng.IntN(400)), 1))
	}
	for _, full := range []bool{false, true} {
		inMemory, err := combineAll(t, CombinerSpec{Key: keyOf("/key"), Schema: sch}, docs, full)
		if err != nil {
			t.Fatal(err)
		}
		spilled, err := combineAll(t, CombinerSpec{Key: keyOf("/key"), Schema: sch, MemoryLimit: 16 << 10, SpillDir: t.TempDir()}, docs, full)
		if err != nil {
			t.Fatal(err)
		}
		if len(inMemory) != 400 || strings.Join(inMemory, "\n") != strings.Join(spilled, "\n") {
			t.Fatalf("full=%v: spilled result differs from in-memory (%d vs %d docs)", full, len(spilled), len(inMemory))
		}
	}
}

func TestCombinerSpillDirError(t *testing.T) {
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/key"), Schema: compileSchema(t, sumSchema), MemoryLimit: 1, SpillDir: "/nonexistent/dir"})
	err := c.Add(mustDecode(t, `{"key":"a","value":1}`))
	if err == nil || !errors.Is(err, err) || !strings.Contains(err.Error(), "cannot spill") {
		t.Fatalf("error = %v, want a spill error", err)
	}
}
