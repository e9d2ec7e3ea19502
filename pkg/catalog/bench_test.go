package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// generatedCatalog writes a catalog of n collections, each with its schema of `fields` properties
// in its own file, and one materialization with a binding per collection.
func generatedCatalog(tb testing.TB, n, fields int) string {
	files := map[string]string{}
	var cat strings.Builder
	cat.WriteString("collections:\n")
	for i := 0; i < n; i++ {
		var schema strings.Builder
		schema.WriteString("type: object\nrequired: [id]\nproperties:\n  id: {type: string}\n")
		for f := 1; f < fields; f++ {
			typ := []string{"string", "integer", "number", "boolean"}[f%4]
			fmt.Fprintf(&schema, "  field%d: {type: %s, description: field %d}\n", f, typ, f)
		}
		files[fmt.Sprintf("schemas/c%d.yaml", i)] = schema.String()
		fmt.Fprintf(&cat, "  acme/c%d:\n    schema: schemas/c%d.yaml\n    key: [/id]\n", i, i)
	}
	cat.WriteString("materializations:\n  acme/warehouse:\n    endpoint: {connector: {image: \"ghcr.io/estuary/materialize-sqlite:dev\", config: {path: w.db}}}\n    bindings:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&cat, "      - {source: acme/c%d, resource: {table: c%d}}\n", i, i)
	}
	files["flow.yaml"] = cat.String()
	return filepath.Join(writeFiles(tb, files), "flow.yaml")
}

// BenchmarkCheck measures `flowctl check` (Load and Build) of 1,000 collections of 20 fields and
// 1,000 materialization bindings; BenchmarkLoad is the loading part alone.
func BenchmarkCheck(b *testing.B) {
	path := generatedCatalog(b, 1000, 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cat, diags := Load(context.Background(), path)
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		built, diags := Build(context.Background(), cat)
		if diags.HasErrors() || len(built.Collections) != 1000 {
			b.Fatal(diags)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	path := generatedCatalog(b, 1000, 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, diags := Load(context.Background(), path); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkCheckBaseline is the floor any loader pays for the same catalog: reading every file
// and parsing it as YAML, with nothing checked.
func BenchmarkCheckBaseline(b *testing.B) {
	path := generatedCatalog(b, 1000, 20)
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "schemas", "*.yaml"))
	files = append(files, path)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := parseYAML(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
