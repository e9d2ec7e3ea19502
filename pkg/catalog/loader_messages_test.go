package catalog

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// A missing file is named once with its kind: never "file file out.ts" (a config's kind is
// "file" itself).
func TestMissingFileMessages(t *testing.T) {
	cases := []struct {
		name, catalog, missing, want string
	}{
		{"import", "import: [gone.flow.yaml]\n", "gone.flow.yaml", "catalog file %s does not exist"},
		{"schema", "collections:\n  a/b: {schema: gone.schema.yaml, key: [/id]}\n", "gone.schema.yaml", "schema file %s does not exist"},
		{"endpoint config", "captures:\n  a/c:\n    endpoint: {connector: {image: x, config: gone.config.yaml}}\n    bindings: []\n",
			"gone.config.yaml", "file %s does not exist"},
		{"TypeScript module", `collections:
  a/b:
    schema: {type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
    derive:
      using: {typescript: {module: out.ts}}
      transforms: [{name: t, source: a/b, shuffle: any}]
`, "out.ts", "file %s does not exist"},
		{"fixture", `collections:
  a/b: {schema: {type: object, properties: {id: {type: string}}, required: [id]}, key: [/id]}
tests:
  a/t:
    - ingest: {collection: a/b, documents: gone.fixture.yaml}
`, "gone.fixture.yaml", "fixture file %s does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"flow.yaml": c.catalog})
			_, diags := Load(context.Background(), filepath.Join(dir, "flow.yaml"))
			var got []string
			for _, d := range diags {
				if d.Code == "load.missing-file" {
					got = append(got, d.Message)
				}
			}
			want := fmt.Sprintf(c.want, displayName("file://"+filepath.ToSlash(filepath.Join(dir, c.missing))))
			if len(got) != 1 || got[0] != want {
				t.Errorf("missing-file messages %q, want exactly %q (all diagnostics: %v)", got, want, diags)
			}
		})
	}
}
