package catalog

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

// The bundle of the examples is self-contained: it checks clean on its own, from another directory,
// with the same entities.
func TestBundleOfExamplesChecksAlone(t *testing.T) {
	cat, diags := Load(context.Background(), "../../examples/flow.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want, diags := Build(context.Background(), cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	data, err := json.Marshal(Bundle(cat))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bundled, diags := Load(context.Background(), path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for u, r := range bundled.Resources {
		if r.Kind != KindCatalog {
			t.Errorf("the bundle still loads %s", u)
		}
	}
	got, diags := Build(context.Background(), bundled)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(got.Collections) != len(want.Collections) || len(got.Tests) != len(want.Tests) ||
		len(got.Captures) != len(want.Captures) || len(got.Materializations) != len(want.Materializations) {
		t.Fatalf("bundle built %d/%d/%d/%d entities, source %d/%d/%d/%d", len(got.Collections), len(got.Captures),
			len(got.Materializations), len(got.Tests), len(want.Collections), len(want.Captures), len(want.Materializations), len(want.Tests))
	}
	for i, c := range got.Collections {
		if len(c.Projections) != len(want.Collections[i].Projections) {
			t.Errorf("collection %s has %d projections in the bundle, %d in the source", c.Name, len(c.Projections), len(want.Collections[i].Projections))
		}
	}
	lambda := got.Collection("shop/customer-revenue").Derivation.Transforms[0].Lambda
	if !strings.Contains(lambda, "INSERT INTO revenue") {
		t.Errorf("the lambda file was not inlined: %q", lambda)
	}
}

// Every example catalog file validates against the catalog JSON Schema, and typos do not.
func TestJSONSchemaAcceptsExamples(t *testing.T) {
	ix := schema.NewIndex()
	var doc any
	if err := json.Unmarshal(JSONSchema(), &doc); err != nil {
		t.Fatal(err)
	}
	const id = "https://github.com/flowctl/flowctl/catalog.schema.json"
	if err := ix.Add(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := Load(context.Background(), "../../examples/flow.yaml")
	n := 0
	for u, r := range cat.Resources {
		if r.Kind == KindCatalog {
			n++
			if err := s.Validate(r.Content); err != nil {
				t.Errorf("%s: %v", u, err)
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d catalog files checked", n)
	}
	for _, bad := range []string{
		`{"collections": {"a/b": {"schema": {}, "key": ["/id"], "shuffle": 1}}}`,
		`{"collections": {"a/b": {"key": ["/id"]}}}`,
		`{"collections": {"/bad": {"schema": {}, "key": ["/id"]}}}`,
		`{"tests": {"a/t": [{"ingest": {"collection": "a/b", "documents": []}, "verify": {}}]}}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s is valid against the catalog schema", bad)
		}
	}
}
