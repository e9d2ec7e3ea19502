package catalog

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// buildOK loads and builds flow.yaml of files, failing the test on any diagnostic.
func buildOK(t *testing.T, files map[string]string) *Built {
	t.Helper()
	cat, diags := Load(context.Background(), filepath.Join(writeFiles(t, files), "flow.yaml"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	built, diags := Build(context.Background(), cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return built
}

func decodeDoc(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const flowRefsWrite = `
    writeSchema:
      type: object
      required: [id, name]
      properties: {id: {type: string}, name: {type: string}}
    key: [/id]`

func TestReadSchemaFlowReferences(t *testing.T) {
	cases := []struct {
		name, readSchema string
		// docs maps a document to whether the read schema accepts it.
		docs map[string]bool
	}{
		{"default read schema: relaxed write schema and the inferred placeholder",
			`{allOf: [{$ref: "flow://relaxed-write-schema"}, {$ref: "flow://inferred-schema"}]}`,
			map[string]bool{
				`{"id":"a","name":"x"}`: false, // no real document carries the placeholder's marker
				`{"id":"a","name":"x","_meta":{"inferredSchemaIsNotAvailable":true}}`: true,
				`{"id":"a","name":5,"_meta":{"inferredSchemaIsNotAvailable":true}}`:   false, // not relaxed without inference
			}},
		{"the write schema itself", `{$ref: "flow://write-schema"}`,
			map[string]bool{`{"id":"a","name":"x"}`: true, `{"id":"a"}`: false, `{"id":"a","name":1}`: false}},
		{"relaxed write schema beside a real inferred schema",
			`{$defs: {"flow://inferred-schema": {$id: "flow://inferred-schema", type: object, properties: {id: {type: string}, name: {type: integer}}}},
              allOf: [{$ref: "flow://relaxed-write-schema"}, {$ref: "flow://inferred-schema"}]}`,
			map[string]bool{`{"id":"a","name":5}`: true, `{"id":"a"}`: true, `{"id":"a","name":"x"}`: false}},
		{"relaxed without an inferred schema reference", `{allOf: [{$ref: "flow://relaxed-write-schema"}, {type: object, properties: {id: {type: string}}}]}`,
			map[string]bool{`{"id":"a","name":5}`: true, `{"name":"x"}`: true, `{"id":7}`: false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			built := buildOK(t, map[string]string{"flow.yaml": "collections:\n  a/b:" + flowRefsWrite + "\n    readSchema: " + tc.readSchema + "\n"})
			c := built.Collection("a/b")
			for doc, ok := range tc.docs {
				if err := c.ReadSchema.Validate(decodeDoc(t, doc)); (err == nil) != ok {
					t.Errorf("read schema on %s: err = %v, want valid = %v", doc, err, ok)
				}
			}
		})
	}
}

// One read schema file shared by collections means each one's own write schema; the relaxed
// copies of a write schema's referenced files are relaxed too.
func TestReadSchemaFlowReferencesPerCollection(t *testing.T) {
	built := buildOK(t, map[string]string{
		"flow.yaml": `
collections:
  a/strings: {writeSchema: schemas/strings.yaml, readSchema: read.yaml, key: [/id]}
  a/numbers: {writeSchema: schemas/numbers.yaml, readSchema: read.yaml, key: [/id]}
  a/relaxed:
    writeSchema: schemas/strings.yaml
    readSchema: {allOf: [{$ref: "flow://relaxed-write-schema"}, {type: object, properties: {id: {type: string}}}]}
    key: [/id]
`,
		"read.yaml":            "$ref: flow://write-schema\n",
		"schemas/strings.yaml": "type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n  v: {$ref: 'defs.yaml#/$defs/text'}\n",
		"schemas/numbers.yaml": "type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n  v: {type: number}\n",
		"schemas/defs.yaml":    "$defs:\n  text: {type: string, format: date}\n",
	})
	for _, tc := range []struct {
		collection, doc string
		ok              bool
	}{
		{"a/strings", `{"id":"a","v":"2024-01-02"}`, true},
		{"a/strings", `{"id":"a","v":3}`, false},
		{"a/numbers", `{"id":"a","v":3}`, true},
		{"a/numbers", `{"id":"a","v":"2024-01-02"}`, false},
		{"a/relaxed", `{"id":"a","v":3}`, true},   // type dropped in the referenced file's copy
		{"a/relaxed", `{"id":"a","v":"x"}`, true}, // and format too
	} {
		err := built.Collection(tc.collection).ReadSchema.Validate(decodeDoc(t, tc.doc))
		if (err == nil) != tc.ok {
			t.Errorf("%s read schema on %s: err = %v, want valid = %v", tc.collection, tc.doc, err, tc.ok)
		}
	}
}

func TestReadSchemaFlowReferenceErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		// Only a separate readSchema has a write schema to refer to.
		{"flow reference outside a readSchema", `
  a/b:
    schema: {type: object, properties: {id: {type: string}}, allOf: [{$ref: "flow://write-schema"}]}
    key: [/id]`, []string{"3:13 schema.compile"}},
		// Relaxing drops the key's type; without an inferred schema to restore it, the key is untyped.
		{"relaxed key without a type", `
  a/b:` + flowRefsWrite + `
    readSchema: {$defs: {"flow://inferred-schema": {$id: "flow://inferred-schema"}}, allOf: [{$ref: "flow://relaxed-write-schema"}, {$ref: "flow://inferred-schema"}]}`,
			[]string{"7:11 collection.key-read-write-types", "7:11 schema.key-wrong-type", "8:17 collection.schema-not-object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := check(t, map[string]string{"flow.yaml": "collections:" + tc.yaml + "\n"})
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("diagnostics = %q, want %q", got, tc.want)
			}
		})
	}
}
