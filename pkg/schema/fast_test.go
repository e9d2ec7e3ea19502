package schema

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

// fastVsLibrary returns the fast path's verdict on doc and the library's. decided is false when
// the schema has no fast path, when an arena cannot hold doc exactly, or when the fast path left
// this document to the library.
func fastVsLibrary(s *Schema, doc any) (fast, library, decided bool) {
	library = s.compiled.Validate(doc) == nil
	p := s.plans()
	if p.fast == nil || exactAsNode(doc) != exactly {
		return false, library, false
	}
	a := &node.Arena{}
	r := fastRun{a: a, values: p.values}
	fast = p.fast.valid(a.FromAny(doc), &r)
	return fast, library, !r.unsure
}

// assertFastAgrees fails the test when the fast path decides doc differently from the library.
func assertFastAgrees(t testing.TB, s *Schema, doc any) {
	t.Helper()
	if fast, library, decided := fastVsLibrary(s, doc); decided && fast != library {
		raw, _ := json.Marshal(doc)
		t.Errorf("fast path says valid=%v, library says valid=%v, for %s", fast, library, raw)
	}
}

// annotationsPerDocument runs the per-document annotation pass, with every branch decided by the
// library unless withFast, whether or not the schema has a shared tree.
func annotationsPerDocument(s *Schema, doc any, withFast bool) (*Annotation, error) {
	p := *s.plans()
	if !withFast {
		p.fastNodes = nil
	}
	a := &node.Arena{}
	root := &cursor{}
	if err := p.collect(s.compiled, a, a.FromAny(doc), root); err != nil {
		return nil, err
	}
	return root.node, nil
}

func TestFastPathAgreesOnGeneratedSchemas(t *testing.T) {
	g := &schemaGen{rng: rand.New(rand.NewPCG(7, 11))}
	const schemas, docsEach = 1500, 8
	var fastSchemas, staticSchemas, decided, valid int
	for i := 0; i < schemas; i++ {
		raw := g.document()
		ix := NewIndex()
		if err := ix.Add("file:///gen.json", raw); err != nil {
			t.Fatalf("generated schema %d rejected: %v", i, err)
		}
		s, err := ix.Compile("file:///gen.json")
		if err != nil {
			continue // e.g. a generated bound of the wrong kind; the generator avoids most
		}
		if s.plans().fast != nil {
			fastSchemas++
		}
		if s.plans().isStatic && s.plans().static != nil {
			staticSchemas++
		}
		for j := 0; j < docsEach; j++ {
			doc := g.value(3)
			fast, library, ok := fastVsLibrary(s, doc)
			if !ok {
				continue
			}
			decided++
			if library {
				valid++
			}
			if fast != library {
				schemaJSON, _ := json.Marshal(raw)
				docJSON, _ := json.Marshal(doc)
				t.Fatalf("schema %s\ndocument %s\nfast valid=%v, library valid=%v", schemaJSON, docJSON, fast, library)
			}
			if library {
				want, werr := annotationsPerDocument(s, doc, false)
				got, gerr := s.ValidateReduce(doc)
				if !reflect.DeepEqual(flatten(want, doc), flatten(got, doc)) || (werr == nil) != (gerr == nil) {
					schemaJSON, _ := json.Marshal(raw)
					docJSON, _ := json.Marshal(doc)
					t.Fatalf("schema %s\ndocument %s\nannotations differ: %v/%v vs %v/%v", schemaJSON, docJSON,
						flatten(want, doc), werr, flatten(got, doc), gerr)
				}
			}
		}
	}
	t.Logf("%d schemas, %d with a fast path, %d with shared annotations; %d documents decided by it, %d valid",
		schemas, fastSchemas, staticSchemas, decided, valid)
	// The comparison means something only if both outcomes occur often.
	if fastSchemas < schemas*3/5 || staticSchemas < schemas/10 || valid < decided/10 || decided-valid < decided/10 {
		t.Errorf("generator degenerated: %d fast schemas, %d decided, %d valid", fastSchemas, decided, valid)
	}
}

func TestFastPathCoverage(t *testing.T) {
	cases := []struct {
		name, schema string
		fast         bool
	}{
		{"bench schema", benchSchema, true},
		{"reset counter", resetCounter, true},
		{"recursion below a property", `{"$defs":{"n":{"properties":{"c":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}`, true},
		{"anchor", `{"$defs":{"n":{"$anchor":"N","type":"string"}},"properties":{"a":{"$ref":"#N"}}}`, true},
		{"2019 tuple", `{"items":[{"type":"string"}],"additionalItems":false}`, true},
		{"in-place loop", `{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"allOf":[{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}}`, false},
		{"contains", `{"properties":{"a":{"contains":{"type":"string"}}}}`, false},
		{"unevaluatedProperties", `{"unevaluatedProperties":false}`, false},
		{"dependentSchemas", `{"dependentSchemas":{"a":{}}}`, false},
		{"dynamicRef", `{"$dynamicAnchor":"n","properties":{"c":{"$dynamicRef":"#n"}}}`, false},
		{"recursiveRef", `{"$recursiveAnchor":true,"properties":{"c":{"$recursiveRef":"#"}}}`, false},
		{"draft 7", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"string"}`, false},
	}
	for _, c := range cases {
		if got := compile(t, c.schema).plans().fast != nil; got != c.fast {
			t.Errorf("%s: has fast path = %v, want %v", c.name, got, c.fast)
		}
	}
}

func TestFastPathEdgeCases(t *testing.T) {
	cases := []struct {
		name, schema, doc string
		valid             bool
	}{
		{"integer from exponent", `{"type":"integer"}`, `1e3`, true},
		{"integer from fraction zero", `{"type":"integer"}`, `-2.000`, true},
		{"tie goes to exact compare", `{"maximum":0.1}`, `0.1`, true},
		{"exclusive tie", `{"exclusiveMinimum":0.1}`, `0.1`, false},
		{"just above a decimal bound", `{"maximum":0.1}`, `0.10000000000000002`, false},
		{"at a u64 bound", `{"maximum":18446744073709551615}`, `18446744073709551615`, true},
		{"float above a u64 bound", `{"maximum":18446744073709551615}`, `1.8446744073709552e19`, false},
		{"integral float", `{"type":"integer","multipleOf":4}`, `1.2e1`, true},
		{"large integral float", `{"multipleOf":7}`, `7e20`, true},
		{"enum float and integer", `{"enum":[3]}`, `3.0`, true},
		{"exclusive at bound", `{"exclusiveMinimum":0}`, `0.0`, false},
		{"multipleOf decimal", `{"multipleOf":0.1}`, `0.3`, true},
		{"multipleOf integer", `{"multipleOf":3}`, `-9`, true},
		{"multipleOf integer fails", `{"multipleOf":3}`, `10`, false},
		{"code points", `{"maxLength":3}`, `"日本語"`, true},
		{"code points fail", `{"minLength":4}`, `"日本語"`, false},
		{"enum by value", `{"enum":[1,"a",[2.0]]}`, `[2]`, true},
		{"const object", `{"const":{"a":[1,null]}}`, `{"a":[1.0,null]}`, true},
		{"const object differs", `{"const":{"a":[1,null]}}`, `{"a":[1,false]}`, false},
		{"uniqueItems by value", `{"uniqueItems":true}`, `[1,"1",1.0]`, false},
		{"uniqueItems objects", `{"uniqueItems":true}`, `[{"a":1},{"a":2}]`, true},
		{"oneOf two match", `{"oneOf":[{"type":"integer"},{"minimum":0}]}`, `3`, false},
		{"oneOf one matches", `{"oneOf":[{"type":"integer"},{"minimum":0}]}`, `-3`, true},
		{"if without then", `{"if":{"type":"string"},"else":{"type":"integer"}}`, `"x"`, true},
		{"propertyNames", `{"propertyNames":{"maxLength":2}}`, `{"abc":1}`, false},
		{"pattern and additional", `{"patternProperties":{"^x":{"type":"string"}},"additionalProperties":false}`, `{"xa":"1","y":1}`, false},
		{"prefix then items false", `{"prefixItems":[{}],"items":false}`, `[1]`, true},
		{"2019 additionalItems false", `{"items":[{}],"additionalItems":false}`, `[1,2]`, false},
		{"dependencies as list", `{"dependencies":{"a":["b"]}}`, `{"a":1}`, false},
		{"recursion", `{"$defs":{"n":{"type":"object","properties":{"c":{"$ref":"#/$defs/n"}},"additionalProperties":false}},"$ref":"#/$defs/n"}`, `{"c":{"c":{"d":1}}}`, false},
		{"flow format", `{"format":"macaddr"}`, `"00:1b:63:84:45:e6"`, true},
		{"format ignores other types", `{"format":"uuid"}`, `12`, true},
		{"false below property", `{"properties":{"a":false}}`, `{"a":null}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compile(t, c.schema)
			doc := decode(t, c.doc)
			fast, library, decided := fastVsLibrary(s, doc)
			if !decided {
				t.Fatalf("fast path did not decide")
			}
			if fast != c.valid || library != c.valid {
				t.Fatalf("fast valid=%v, library valid=%v, want %v", fast, library, c.valid)
			}
		})
	}
}

// TestNumbersBeyondFloat64GoToTheLibrary: an arena holds a number as a float64, so a document of the
// `any` form whose number a float64 does not hold exactly is decided by the library, as before.
func TestNumbersBeyondFloat64GoToTheLibrary(t *testing.T) {
	cases := []struct {
		schema, doc string
		valid       bool
	}{
		{`{"type":"integer"}`, `1.0000000000000000001`, false},
		{`{"maximum":1}`, `1.0000000000000000001`, false},
		{`{"maximum":18446744073709551615}`, `18446744073709551616`, false},
		{`{"const":1}`, `1e400`, false},
		{`{"enum":[1.0000000000000000001]}`, `1`, false},
	}
	for _, c := range cases {
		s, doc := compile(t, c.schema), decode(t, c.doc)
		if _, _, decided := fastVsLibrary(s, doc); decided {
			t.Errorf("%s: fast path decided %s", c.schema, c.doc)
		}
		if valid := s.Validate(doc) == nil; valid != c.valid {
			t.Errorf("%s: Validate(%s) valid=%v, want %v", c.schema, c.doc, valid, c.valid)
		}
	}
}

func TestFastPathLeavesOtherGoTypesToTheLibrary(t *testing.T) {
	s := compile(t, `{"properties":{"a":{"type":"number","maximum":3}}}`)
	for _, doc := range []any{map[string]any{"a": 2.5}, map[string]any{"a": 7}, map[string]any{"a": struct{}{}}} {
		if _, _, decided := fastVsLibrary(s, doc); decided {
			t.Errorf("fast path decided %#v", doc)
		}
	}
	if err := s.Validate(map[string]any{"a": 2.5}); err != nil {
		t.Errorf("a float64 document went wrong: %v", err)
	}
	if err := s.Validate(map[string]any{"a": 7}); err == nil || !strings.Contains(err.Error(), "maximum") {
		t.Errorf("an int document over the maximum: %v", err)
	}
}

// TestInvalidDocumentsKeepTheLibrarysReport checks that the fast path changes no error report.
func TestInvalidDocumentsKeepTheLibrarysReport(t *testing.T) {
	s := compile(t, benchSchema)
	doc := decode(t, `{"id":1.5,"kind":"nope","items":[{"sku":"x","qty":-1,"price":0}]}`)
	got, ok := s.Validate(doc).(*ValidationError)
	want := newValidationError(s.compiled.Validate(doc)).(*ValidationError)
	if !ok || len(got.Violations) != 6 {
		t.Fatalf("Validate = %v, want six violations", got)
	}
	// The library visits properties in map order, so compare the violations as sets.
	sortViolations := func(vs []Violation) {
		sort.Slice(vs, func(i, j int) bool { return vs[i].String() < vs[j].String() })
	}
	sortViolations(got.Violations)
	sortViolations(want.Violations)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate = %v\nwant the library's %v", got, want)
	}
}

func TestValidDocumentAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := compile(t, benchSchema)
	docs, _ := benchDocs(50)
	for _, doc := range docs {
		if allocs := testing.AllocsPerRun(10, func() { _ = s.Validate(doc) }); allocs != 0 {
			raw, _ := json.Marshal(doc)
			t.Fatalf("Validate allocated %.0f times for %s", allocs, raw)
		}
	}
}
