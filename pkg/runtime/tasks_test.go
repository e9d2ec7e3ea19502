package runtime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
)

// fingerprintCatalog has one task of each kind; tests edit it and compare fingerprints.
const fingerprintCatalog = `
collections:
  f/in:
    schema: {type: object, properties: {id: {type: integer}}, required: [id]}
    key: [/id]
  f/out:
    schema: {type: object, properties: {id: {type: integer}}, required: [id]}
    key: [/id]
    derive:
      using: {sqlite: {}}
      transforms:
        - {name: copy, source: f/in, shuffle: any, lambda: SELECT $id AS id;}
captures:
  f/capture:
    endpoint: {connector: {image: ghcr.io/flowctl/source-file:v1, config: {path: in.jsonl}}}
    bindings:
      - {resource: {stream: in}, target: f/in}
materializations:
  f/materialize:
    endpoint: {connector: {image: ghcr.io/estuary/materialize-sqlite:dev, config: {path: out.db}}}
    bindings:
      - {source: f/out, resource: {table: out}}
`

// fingerprints writes a catalog to dir/flow.yaml (the same file for every version, as in develop)
// and returns its tasks' fingerprints.
func fingerprints(t *testing.T, dir, catalogYAML string) map[string]string {
	t.Helper()
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(catalogYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, task := range tasksOf(&shardEnv{built: catalogtest.BuildFile(t, src)}) {
		out[task.name] = task.fingerprint
	}
	return out
}

func TestTaskFingerprints(t *testing.T) {
	dir := t.TempDir()
	base := fingerprints(t, dir, fingerprintCatalog)
	if len(base) != 3 {
		t.Fatalf("tasks %v", base)
	}
	cases := []struct {
		name    string
		edit    func(string) string
		changed []string // the tasks whose fingerprint must change; the others must not
	}{
		{"lines moved by a comment", func(s string) string { return "# a comment\n\n" + s }, nil},
		{"capture config", func(s string) string { return strings.Replace(s, "path: in.jsonl", "path: other.jsonl", 1) }, []string{"f/capture"}},
		{"lambda", func(s string) string { return strings.Replace(s, "SELECT $id AS id;", "SELECT $id + 0 AS id;", 1) }, []string{"f/out"}},
		{"materialization resource", func(s string) string { return strings.Replace(s, "table: out", "table: out2", 1) }, []string{"f/materialize"}},
		{"schema of the captured collection", func(s string) string {
			return strings.Replace(s, "f/in:\n    schema: {type: object, properties: {id: {type: integer}}", "f/in:\n    schema: {type: object, properties: {id: {type: integer, minimum: 0}}", 1)
		}, []string{"f/capture", "f/out"}},
		{"schema of the derived collection", func(s string) string {
			return strings.Replace(s, "f/out:\n    schema: {type: object, properties: {id: {type: integer}}", "f/out:\n    schema: {type: object, properties: {id: {type: number}}", 1)
		}, []string{"f/out", "f/materialize"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			edited := c.edit(fingerprintCatalog)
			if edited == fingerprintCatalog && c.changed != nil {
				t.Fatal("the edit changed nothing")
			}
			got := fingerprints(t, dir, edited)
			for task, fp := range base {
				want := false
				for _, name := range c.changed {
					want = want || name == task
				}
				if changed := got[task] != fp; changed != want {
					t.Errorf("%s: fingerprint changed = %v, want %v", task, changed, want)
				}
			}
		})
	}
}
