package schema

import (
	"reflect"
	"strings"
	"testing"
)

func TestIndexCrossFileReferences(t *testing.T) {
	ix := NewIndex()
	mustAdd := func(url, doc string) {
		t.Helper()
		if err := ix.Add(url, decode(t, doc)); err != nil {
			t.Fatalf("Add(%s): %v", url, err)
		}
	}
	mustAdd("file:///p/flow.yaml?ptr=/collections/x/schema", `{"type":"object","properties":{
		"a":{"$ref":"schemas/a.yaml#/$defs/reading"},
		"b":{"$ref":"schemas/b.yaml#Join"},
		"c":{"$ref":"https://example.com/nested#/$defs/c"},
		"w":{"$ref":"flow://write-schema"},
		"m":{"$ref":"https://json-schema.org/draft/2020-12/schema"}}}`)
	if got, want := ix.Missing(), []string{"file:///p/schemas/a.yaml", "file:///p/schemas/b.yaml", "https://example.com/nested"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Missing = %v, want %v", got, want)
	}
	mustAdd("file:///p/schemas/a.yaml", `{"$defs":{"reading":{"type":"integer"}},
		"properties":{"n":{"$id":"https://example.com/nested","$defs":{"c":{"type":"boolean"}}}}}`)
	mustAdd("file:///p/schemas/b.yaml", `{"$defs":{"j":{"$anchor":"Join","type":"string","$ref":"more.yaml"}}}`)
	if got, want := ix.Missing(), []string{"file:///p/schemas/more.yaml"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Missing after adds = %v, want %v", got, want)
	}
	mustAdd("file:///p/schemas/more.yaml", `{"minLength":2}`)
	if got := ix.Missing(); len(got) != 0 {
		t.Fatalf("Missing = %v, want none", got)
	}

	// flow:// references resolve only once registered.
	if _, err := ix.Compile("file:///p/flow.yaml?ptr=/collections/x/schema"); err == nil || !strings.Contains(err.Error(), `Index.Add("flow://write-schema"`) {
		t.Fatalf("Compile before registering flow://write-schema: %v", err)
	}
	mustAdd("flow://write-schema", `{"type":"array"}`)
	s, err := ix.Compile("file:///p/flow.yaml?ptr=/collections/x/schema")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(decode(t, `{"a":1,"b":"xy","c":true,"w":[]}`)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	for _, bad := range []string{`{"a":"1"}`, `{"b":"x"}`, `{"b":7}`, `{"c":1}`, `{"w":{}}`} {
		if s.Validate(decode(t, bad)) == nil {
			t.Errorf("%s accepted", bad)
		}
	}

	// Fragments: JSON pointer and anchor.
	ptr, err := ix.Compile("file:///p/schemas/a.yaml#/$defs/reading")
	if err != nil || ptr.Validate(decode(t, `"x"`)) == nil || ptr.Validate(decode(t, `3`)) != nil {
		t.Errorf("pointer fragment: %v", err)
	}
	if ptr.URL() != "file:///p/schemas/a.yaml#/$defs/reading" {
		t.Errorf("URL() = %q", ptr.URL())
	}
	anchor, err := ix.Compile("file:///p/schemas/b.yaml#Join")
	if err != nil || anchor.Validate(decode(t, `"x"`)) == nil || anchor.Validate(decode(t, `"xy"`)) != nil {
		t.Errorf("anchor fragment: %v", err)
	}
	if again, _ := ix.Compile("file:///p/schemas/b.yaml#Join"); again != anchor {
		t.Errorf("compiled schemas are not cached")
	}
	if _, err := ix.Compile("file:///p/schemas/a.yaml#/$defs/nope"); err == nil {
		t.Errorf("a missing fragment compiled")
	}
}

func TestIndexErrors(t *testing.T) {
	ix := NewIndex()
	if err := ix.Add("file:///ok.json", decode(t, `{"$ref":"other.json"}`)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, url, doc, want string
	}{
		{"relative URL", "schema.json", `{}`, "not an absolute URL"},
		{"fragment", "file:///a.json#/x", `{}`, "has a fragment"},
		{"duplicate", "file:///ok.json", `{}`, "already added"},
		{"not a schema", "file:///n.json", `[1]`, "must be an object or a boolean"},
		{"bad reduce", "file:///r.json", `{"properties":{"a":{"reduce":{"strategy":"sum","key":["/x"]}}}}`, "file:///r.json#/properties/a: invalid `reduce` annotation: reduce strategy sum has no option \"key\""},
		{"reduce not an object", "file:///r2.json", `{"reduce":"merge"}`, "reduce must be an object"},
	}
	for _, c := range cases {
		err := ix.Add(c.url, decode(t, c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Add error = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := ix.Compile("file:///ok.json"); err == nil || !strings.Contains(err.Error(), "file:///other.json was not added") {
		t.Errorf("unresolved $ref: %v", err)
	}
	if err := ix.Add("file:///badtype.json", decode(t, `{"type":"strnig"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Compile("file:///badtype.json"); err == nil || !strings.Contains(err.Error(), "not a valid JSON Schema") {
		t.Errorf("invalid schema: %v", err)
	}
	if err := ix.Add("file:///badre.json", decode(t, `{"pattern":"(["}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Compile("file:///badre.json"); err == nil {
		t.Errorf("invalid regex compiled")
	}
}

func TestAddDoesNotModifyCallerValue(t *testing.T) {
	doc := decode(t, `{"items":[{"type":"string"}],"additionalItems":false,"type":"string","nullable":true}`)
	before := deepCopy(doc)
	if err := NewIndex().Add("file:///x.json", doc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, before) {
		t.Errorf("Add modified its argument: %v", doc)
	}
}

func TestOtherDraftsKeepTheirKeywords(t *testing.T) {
	s := compile(t, `{"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}],"additionalItems":false}`)
	if s.Validate(decode(t, `["a"]`)) != nil || s.Validate(decode(t, `["a",1]`)) == nil {
		t.Errorf("draft-07 tuple semantics lost")
	}
}

func TestRootIDIsAddressable(t *testing.T) {
	ix := NewIndex()
	if err := ix.Add("file:///s/canon.json", decode(t, `{"$id":"https://example.com/canon","type":"string"}`)); err != nil {
		t.Fatal(err)
	}
	if err := ix.Add("file:///s/user.json", decode(t, `{"$ref":"https://example.com/canon"}`)); err != nil {
		t.Fatal(err)
	}
	if m := ix.Missing(); len(m) != 0 {
		t.Fatalf("Missing = %v", m)
	}
	s, err := ix.Compile("file:///s/user.json")
	if err != nil {
		t.Fatal(err)
	}
	if s.Validate("x") != nil || s.Validate(decode(t, `1`)) == nil {
		t.Errorf("reference through a root $id does not validate")
	}
}
