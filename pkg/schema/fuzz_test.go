package schema

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCompileValidate feeds arbitrary schemas and documents through every entry point: nothing may
// panic, and a document that validates must also yield annotations or a conflict error.
func FuzzCompileValidate(f *testing.F) {
	f.Add(`{"type":"object","reduce":{"strategy":"merge"},"properties":{"n":{"reduce":{"strategy":"sum"}}}}`, `{"n":1}`)
	f.Add(resetCounter, `{"key":"k","action":"reset"}`)
	f.Add(`{"items":[{"type":"string"}],"additionalItems":{"format":"integer"}}`, `["a","1e5"]`)
	f.Fuzz(func(t *testing.T, schemaJSON, docJSON string) {
		s, doc, ok := compileFuzz(schemaJSON, docJSON)
		if !ok {
			return
		}
		verr := s.Validate(doc)
		_, rerr := s.ValidateReduce(doc)
		if (verr == nil) == isValidationError(rerr) {
			t.Fatalf("Validate = %v but ValidateReduce = %v", verr, rerr)
		}
		sh := s.Shape()
		_ = sh.Inspect()
		for _, loc := range sh.Locations() {
			if _, exists := sh.Locate(loc.Ptr); exists == Implicit {
				t.Fatalf("listed location %q is implicit", loc.Ptr)
			}
			_ = CheckKey(sh, loc.Ptr)
		}
		_, _ = Projections(sh, []string{"/id"}, []ExplicitProjection{{Field: "x", Ptr: "/x"}})
	})
}

// compileFuzz decodes a fuzzed schema and document and compiles the schema; ok is false for input
// that is not JSON or a schema the index refuses, which the fuzz targets skip.
func compileFuzz(schemaJSON, docJSON string) (*Schema, any, bool) {
	schemaDoc, ok := decodeFuzz(schemaJSON)
	if !ok {
		return nil, nil, false
	}
	doc, ok := decodeFuzz(docJSON)
	if !ok {
		return nil, nil, false
	}
	ix := NewIndex()
	if ix.Add("file:///fuzz.json", schemaDoc) != nil {
		return nil, nil, false
	}
	_ = ix.Missing()
	s, err := ix.Compile("file:///fuzz.json")
	if err != nil {
		return nil, nil, false
	}
	return s, doc, true
}

func decodeFuzz(s string) (any, bool) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || d.More() {
		return nil, false
	}
	return v, true
}

func isValidationError(err error) bool {
	_, ok := err.(*ValidationError)
	return ok
}
