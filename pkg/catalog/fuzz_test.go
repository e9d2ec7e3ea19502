package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad loads and builds arbitrary catalog text, beside a schema file and a SQL file it may
// reference. Nothing may panic, and every diagnostic must say what and where.
func FuzzLoad(f *testing.F) {
	dir := writeFiles(f, map[string]string{
		"schema.yaml": "type: object\nproperties: {id: {type: string}}\nrequired: [id]\n",
		"lambda.sql":  "SELECT $id;\n",
	})
	// The seed corpus of good and bad catalogs is testdata/fuzz/FuzzLoad.
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(dir, "flow.yaml")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cat, diags := Load(context.Background(), path)
		if cat == nil {
			t.Fatalf("the root was written, yet Load returned no catalog: %v", diags)
		}
		_, more := Build(context.Background(), cat)
		for _, d := range append(diags, more...) {
			if d.Code == "" || d.Message == "" || d.File == "" {
				t.Fatalf("incomplete diagnostic %#v", d)
			}
		}
	})
}
