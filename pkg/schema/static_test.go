package schema

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

func TestStaticAnnotationsCoverage(t *testing.T) {
	cases := []struct {
		name, schema string
		static       bool
	}{
		{"bench schema", benchSchema, true},
		{"no reduce", `{"type":"object"}`, true},
		{"recursion", `{"$defs":{"n":{"type":"object","reduce":{"strategy":"merge"},"properties":{"c":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}`, true},
		{"additionalProperties", `{"type":"object","properties":{"a":{}},"additionalProperties":{"reduce":{"strategy":"sum"}}}`, true},
		{"reduce under oneOf", resetCounter, false},
		{"reduce under if", `{"if":{"type":"string"},"then":{"reduce":{"strategy":"sum"}}}`, false},
		{"oneOf without reduce", `{"reduce":{"strategy":"merge"},"oneOf":[{"type":"object"},{"type":"array"}]}`, true},
		{"patternProperties decide additional", `{"type":"object","patternProperties":{"^p":{}},"additionalProperties":{"reduce":{"strategy":"sum"}}}`, false},
		{"conflict", `{"allOf":[{"reduce":{"strategy":"sum"}},{"reduce":{"strategy":"merge"}}]}`, false},
		{"conflict through additional", `{"type":"object","allOf":[{"properties":{"a":{"reduce":{"strategy":"sum"}}}},{"additionalProperties":{"reduce":{"strategy":"append"}}}]}`, false},
		{"items of an untyped value", `{"items":{"reduce":{"strategy":"sum"}}}`, false},
		{"items of an array", `{"type":"array","items":{"reduce":{"strategy":"sum"}}}`, true},
		{"properties and items", `{"type":["object","array"],"properties":{"a":{"reduce":{"strategy":"sum"}}},"items":{"reduce":{"strategy":"sum"}}}`, false},
		{"index-like property of an untyped value", `{"properties":{"0":{"reduce":{"strategy":"sum"}}}}`, false},
		{"named property of an untyped value", `{"properties":{"a":{"reduce":{"strategy":"sum"}}}}`, true},
	}
	for _, c := range cases {
		if got := compile(t, c.schema).plans().isStatic; got != c.static {
			t.Errorf("%s: static = %v, want %v", c.name, got, c.static)
		}
	}
}

// TestStaticAnnotationsAgree compares the shared tree with the per-document pass on documents of
// schemas that have one, including a declared property that must not take additionalProperties'
// annotation and a recursive schema.
func TestStaticAnnotationsAgree(t *testing.T) {
	cases := []struct{ schema, doc string }{
		{`{"type":"object","reduce":{"strategy":"merge"},"properties":{"a":{"type":"integer"}},"additionalProperties":{"reduce":{"strategy":"sum"}}}`,
			`{"a":1,"b":2,"c":3}`},
		{`{"type":"object","allOf":[{"properties":{"a":{"reduce":{"strategy":"sum"}}}},{"properties":{"a":{"reduce":{"strategy":"sum"}}},"additionalProperties":{"reduce":{"strategy":"append"}}}]}`,
			`{"a":1,"b":[2]}`},
		{`{"$defs":{"n":{"type":"object","reduce":{"strategy":"merge"},"properties":{"c":{"$ref":"#/$defs/n"},"v":{"reduce":{"strategy":"sum"}}}}},"$ref":"#/$defs/n"}`,
			`{"v":1,"c":{"v":2,"c":{"v":3,"w":4}}}`},
		{`{"type":"array","prefixItems":[{"reduce":{"strategy":"sum"}}],"items":{"type":"object","properties":{"x":{"reduce":{"strategy":"maximize"}}}}}`,
			`[1,{"x":2},{"x":3,"y":4}]`},
		{`{"type":"array","items":[{"reduce":{"strategy":"sum"}}],"additionalItems":{"reduce":{"strategy":"append"}}}`, `[1,[2],[3]]`},
	}
	for _, c := range cases {
		s, doc := compile(t, c.schema), decode(t, c.doc)
		if !s.plans().isStatic {
			t.Fatalf("%s: no shared tree", c.schema)
		}
		got, err := s.ValidateReduce(doc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := annotationsPerDocument(s, doc, true)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := flatten(got, doc), flatten(want, doc); !reflect.DeepEqual(g, w) || len(w) == 0 {
			t.Errorf("%s on %s: shared %v, per document %v", c.schema, c.doc, g, w)
		}
	}
}

// TestValidateReduceAgreesPerDocument runs the annotation cases through both passes.
func TestValidateReduceAgreesPerDocument(t *testing.T) {
	docs, _ := benchDocs(200)
	s := compile(t, benchSchema)
	for _, doc := range docs {
		got, err := s.ValidateReduce(doc)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := annotationsPerDocument(s, doc, true)
		if g, w := flatten(got, doc), flatten(want, doc); !reflect.DeepEqual(g, w) {
			t.Fatalf("shared %v, per document %v", g, w)
		}
	}
}

// TestStaticAnnotationsAreNotModified validates many documents and checks that the shared tree
// is returned unchanged, by identity and content.
func TestStaticAnnotationsAreNotModified(t *testing.T) {
	s := compile(t, benchSchema)
	shared := s.plans().static
	before := describeTree(shared)
	docs, _ := benchDocs(500)
	a := &node.Arena{}
	for _, doc := range docs {
		ann, err := s.ValidateReduceNode(a, a.FromAny(doc))
		if err != nil {
			t.Fatal(err)
		}
		if ann != shared {
			t.Fatalf("a document got a tree of its own")
		}
		a.Reset()
	}
	if after := describeTree(shared); after != before {
		t.Fatalf("shared tree changed:\n%s\nto\n%s", before, after)
	}
}

// describeTree prints a tree (which may refer back to itself) with its addresses.
func describeTree(a *Annotation) string {
	var b strings.Builder
	seen := map[*Annotation]bool{}
	var walk func(a *Annotation, depth int)
	walk = func(a *Annotation, depth int) {
		indent := strings.Repeat("  ", depth)
		if a == nil || seen[a] {
			b.WriteString(indent + "-\n")
			return
		}
		seen[a] = true
		raw, _ := json.Marshal(a.Reduce)
		b.WriteString(indent + string(raw) + "\n")
		for _, tok := range slices.Sorted(maps.Keys(a.Children)) {
			b.WriteString(indent + tok + ":\n")
			walk(a.Children[tok], depth+1)
		}
		b.WriteString(indent + "*:\n")
		walk(a.Additional, depth+1)
	}
	walk(a, 0)
	return b.String()
}

func TestValidateReduceNodeAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := compile(t, benchSchema)
	docs, _ := benchDocs(50)
	a := &node.Arena{}
	for _, doc := range docs {
		n := a.FromAny(doc)
		if allocs := testing.AllocsPerRun(10, func() { _, _ = s.ValidateReduceNode(a, n) }); allocs != 0 {
			t.Fatalf("ValidateReduceNode allocated %.0f times", allocs)
		}
	}
}

func TestValidateReduceReadsOtherGoTypesAsJSON(t *testing.T) {
	s := compile(t, resetCounter)
	ann, err := s.ValidateReduce(map[string]any{"key": "k", "action": "sum", "value": 5})
	if err != nil {
		t.Fatal(err)
	}
	if ann.Child("value").Strategy().Strategy != Sum || ann.Strategy().Strategy != Merge {
		t.Errorf("annotations %v", flatten(ann, map[string]any{"value": nil}))
	}
}

// TestValidateNodeKeepsTheLibrarysReport: an invalid node document is reported as the library
// reports its JSON form.
func TestValidateNodeKeepsTheLibrarysReport(t *testing.T) {
	s := compile(t, benchSchema)
	doc := decode(t, `{"id":1.5,"kind":"nope","items":[{"sku":"x","qty":-1,"price":0}]}`)
	a := &node.Arena{}
	got, ok := s.ValidateNode(a, a.FromAny(doc)).(*ValidationError)
	want := s.Validate(doc).(*ValidationError)
	if !ok || len(got.Violations) != len(want.Violations) {
		t.Fatalf("ValidateNode = %v, want %v", got, want)
	}
	sortViolations := func(vs []Violation) {
		sort.Slice(vs, func(i, j int) bool { return vs[i].String() < vs[j].String() })
	}
	sortViolations(got.Violations)
	sortViolations(want.Violations)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ValidateNode = %v\nwant %v", got, want)
	}
}
