package schema

import (
	"reflect"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
)

// FuzzFastValidate holds the fast path to the library: whenever it decides a document, its verdict
// must be the library's, and Validate must agree with both.
func FuzzFastValidate(f *testing.F) {
	f.Add(benchSchema, `{"id":1,"kind":"buy","items":[{"sku":"ABC-0001","qty":1,"price":0.5}]}`)
	f.Add(resetCounter, `{"key":"k","action":"reset"}`)
	f.Add(`{"oneOf":[{"type":"integer"},{"multipleOf":0.5}],"not":{"const":2}}`, `1.5`)
	f.Add(`{"$defs":{"n":{"properties":{"c":{"$ref":"#/$defs/n"}},"maxProperties":1}},"$ref":"#/$defs/n"}`, `{"c":{"c":{}}}`)
	f.Add(`{"prefixItems":[{"enum":[1,"a"]}],"items":{"uniqueItems":true},"minItems":1}`, `[1.0,[1,2],[]]`)
	f.Fuzz(func(t *testing.T, schemaJSON, docJSON string) {
		s, doc, ok := compileFuzz(schemaJSON, docJSON)
		if !ok {
			return
		}
		fast, library, decided := fastVsLibrary(s, doc)
		if decided && fast != library {
			t.Fatalf("fast path valid=%v, library valid=%v", fast, library)
		}
		if (s.Validate(doc) == nil) != library {
			t.Fatalf("Validate disagrees with the library (valid=%v)", library)
		}
	})
}

// FuzzValidateNode holds validation over nodes to the library reading the node's JSON form, on
// arbitrary schemas and documents: ValidateNode's verdict is the library's, ValidateReduceNode
// agrees with it, and a tree shared by all documents reads as the per-document pass.
func FuzzValidateNode(f *testing.F) {
	f.Add(benchSchema, `{"id":1,"kind":"buy","items":[{"sku":"ABC-0001","qty":1,"price":0.5}]}`)
	f.Add(`{"type":"integer","maximum":0.1,"multipleOf":0.5}`, `1.0000000000000000001`)
	f.Add(`{"enum":[9007199254740993,0.1],"uniqueItems":true}`, `9007199254740992.0`)
	f.Add(`{"type":"object","properties":{"a":{}},"additionalProperties":{"reduce":{"strategy":"sum"}}}`, `{"a":1,"b":2}`)
	f.Fuzz(func(t *testing.T, schemaJSON, docJSON string) {
		s, doc, ok := compileFuzz(schemaJSON, docJSON)
		if !ok {
			return
		}
		a := &node.Arena{}
		n := a.FromAny(doc)
		library := s.compiled.Validate(a.ToAny(n)) == nil
		if valid := s.ValidateNode(a, n) == nil; valid != library {
			t.Fatalf("ValidateNode valid=%v, library valid=%v", valid, library)
		}
		ann, err := s.ValidateReduceNode(a, n)
		if library == isValidationError(err) {
			t.Fatalf("library valid=%v but ValidateReduceNode = %v", library, err)
		}
		if err != nil {
			return
		}
		want, werr := annotationsPerDocument(s, a.ToAny(n), false)
		plain := a.ToAny(n)
		if werr != nil || !reflect.DeepEqual(flatten(ann, plain), flatten(want, plain)) {
			t.Fatalf("annotations %v, per document %v (%v)", flatten(ann, plain), flatten(want, plain), werr)
		}
	})
}

// FuzzFastFormats holds each allocation-free format check to the library's check of that format.
func FuzzFastFormats(f *testing.F) {
	for _, seed := range []string{"2026-11-21T10:00:00Z", "2024-02-29T23:59:60.5-00:00", "2023-02-29t00:00:00+01:00",
		"+1:+2:+3Z", "23:59:60Z", "00:00:60+00:01", "df518555-34f0-446a-8788-7b36f607bbea", "2026-13-01", "0000-01-01"} {
		f.Add(seed)
	}
	library := map[string]func(any) bool{}
	for name := range fastFormats {
		format := compile(f, `{"format":"`+name+`"}`).compiled.Format
		library[name] = func(v any) bool { return format.Validate(v) == nil }
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, check := range fastFormats {
			if got, want := check(s), library[name](s); got != want {
				t.Fatalf("format %s of %q: fast %v, library %v", name, s, got, want)
			}
		}
	})
}
