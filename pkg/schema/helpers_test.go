package schema

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// decode parses JSON as the project decodes documents (UseNumber).
func decode(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("bad JSON in test %q: %v", s, err)
	}
	return v
}

// compile adds one schema at file:///schema.json and compiles it.
func compile(t testing.TB, schemaJSON string) *Schema {
	t.Helper()
	ix := NewIndex()
	if err := ix.Add("file:///schema.json", decode(t, schemaJSON)); err != nil {
		t.Fatalf("Add: %v", err)
	}
	s, err := ix.Compile("file:///schema.json")
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
