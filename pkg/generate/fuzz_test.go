package generate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// FuzzGenerateFromSchema builds a collection from an arbitrary schema (beside a string key, so
// that most inputs build) and checks that TypeScript and SQL generation neither panic nor differ
// between two runs. Catalogs that do not build are skipped: their errors are the build's job.
func FuzzGenerateFromSchema(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"type":"object","properties":{"n":{"type":"integer"},"o":{"type":"object"}}}`,
		`{"properties":{"a":{"type":["string","null"],"format":"date-time"},"b":{"type":"array","items":{"type":"number"}}},"required":["a"]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		if !json.Valid([]byte(schema)) {
			t.Skip()
		}
		built := fuzzCatalog(t, schema)
		if built == nil {
			t.Skip()
		}
		first, firstErr := generateAll(built)
		second, secondErr := generateAll(built)
		if (firstErr == nil) != (secondErr == nil) || !reflect.DeepEqual(first, second) {
			t.Fatalf("two runs differ:\n%q (%v)\n%q (%v)", first, firstErr, second, secondErr)
		}
	})
}

// fuzzCatalog builds a catalog whose collection requires the fuzzed schema, or returns nil.
func fuzzCatalog(t *testing.T, schema string) *catalog.Built {
	dir := t.TempDir()
	yaml := `
collections:
  acme/fuzz:
    schema: {allOf: [` + schema + `], type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
materializations:
  acme/out:
    endpoint: {connector: {image: "ghcr.io/estuary/materialize-sqlite:dev", config: {path: out.db}}}
    bindings:
      - {source: acme/fuzz, resource: {table: fuzz}}
`
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, diags := catalog.Load(context.Background(), path)
	if len(diags) > 0 {
		return nil
	}
	built, diags := catalog.Build(context.Background(), cat)
	if len(diags) > 0 {
		return nil
	}
	return built
}

// generateAll is everything generate derives from the catalog's collection, as text.
func generateAll(built *catalog.Built) ([]string, error) {
	module, err := TypeScriptModule(built.Collection("acme/fuzz"))
	if err != nil {
		return nil, err
	}
	out := []string{module}
	for _, d := range []Dialect{SQLite, Postgres} {
		tables, _, err := SQLTables(context.Background(), built, d)
		if err != nil {
			return out, err
		}
		out = append(out, RenderSQL(tables))
	}
	return out, nil
}
