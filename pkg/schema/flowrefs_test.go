package schema

import (
	"encoding/json"
	"testing"
)

func TestRelax(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`true`, `true`},
		{`{"type":"object","required":["a"],"format":"x","title":"kept"}`, `{"title":"kept"}`},
		{`{"properties":{"a":{"type":"string","format":"date","minLength":1}}}`, `{"properties":{"a":{"minLength":1}}}`},
		{`{"items":{"type":"integer"},"additionalItems":{"type":"string"},"additionalProperties":{"type":"number"}}`,
			`{"items":{},"additionalItems":{},"additionalProperties":{}}`},
		{`{"items":[{"type":"integer"},false]}`, `{"items":[{},false]}`},
		{`{"allOf":[{"type":"object"},{"required":["x"]}]}`, `{"allOf":[{},{}]}`},
		{`{"$defs":{"d":{"type":"string"}},"definitions":{"e":{"format":"uuid"}}}`, `{"$defs":{"d":{}},"definitions":{"e":{}}}`},
		// Flow keeps these sub-schemas as they are.
		{`{"anyOf":[{"type":"string"}],"oneOf":[{"type":"integer"}],"patternProperties":{"p":{"type":"string"}}}`,
			`{"anyOf":[{"type":"string"}],"oneOf":[{"type":"integer"}],"patternProperties":{"p":{"type":"string"}}}`},
	} {
		var in any
		if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
			t.Fatal(err)
		}
		before, _ := json.Marshal(in)
		got, _ := json.Marshal(Relax(in))
		var want any
		_ = json.Unmarshal([]byte(tc.want), &want)
		wantJSON, _ := json.Marshal(want)
		if string(got) != string(wantJSON) {
			t.Errorf("Relax(%s) = %s, want %s", tc.in, got, wantJSON)
		}
		if after, _ := json.Marshal(in); string(after) != string(before) {
			t.Errorf("Relax modified its input: %s", after)
		}
	}
}

func TestInferredSchemaPlaceholderRejectsDocuments(t *testing.T) {
	ix := NewIndex()
	if err := ix.Add(InferredSchemaURL, InferredSchemaPlaceholder()); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Compile(InferredSchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	if s.Validate(map[string]any{"id": "a", "_meta": map[string]any{"uuid": "x"}}) == nil {
		t.Error("placeholder accepted a document")
	}
	if err := s.Validate(map[string]any{"_meta": map[string]any{"inferredSchemaIsNotAvailable": true}}); err != nil {
		t.Errorf("placeholder rejected its marker: %v", err)
	}
}

// CompileAll compiles in parallel with the same results as Compile, errors included.
func TestCompileAll(t *testing.T) {
	ix := NewIndex()
	var urls []string
	for i := 0; i < 3*minPerWorker; i++ {
		u := "test://s" + itoa(i) + ".json"
		doc := map[string]any{"type": "object", "properties": map[string]any{"n": map[string]any{"$ref": "test://shared.json"}}}
		if i == 5 {
			doc = map[string]any{"type": 7} // invalid
		}
		if err := ix.Add(u, doc); err != nil {
			t.Fatal(err)
		}
		urls = append(urls, u)
	}
	if err := ix.Add("test://shared.json", map[string]any{"type": "integer"}); err != nil {
		t.Fatal(err)
	}
	ix.CompileAll(append(urls, urls[0]))
	for i, u := range urls {
		s, err := ix.Compile(u)
		if (err != nil) != (i == 5) {
			t.Fatalf("%s: err = %v", u, err)
		}
		if err != nil {
			continue
		}
		if s.Validate(map[string]any{"n": json.Number("1")}) != nil || s.Validate(map[string]any{"n": "x"}) == nil {
			t.Errorf("%s validates wrongly", u)
		}
		if s.Shape().Types != Object {
			t.Errorf("%s shape = %v", u, s.Shape().Types)
		}
	}
}
