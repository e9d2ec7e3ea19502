package catalog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name -> content under a temporary directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// check loads and builds flow.yaml of files, returning every diagnostic as "line:col code" strings
// (prefixed by the file's base name when it is not flow.yaml).
func check(t *testing.T, files map[string]string) (*Built, []string) {
	t.Helper()
	dir := writeFiles(t, files)
	cat, diags := Load(context.Background(), filepath.Join(dir, "flow.yaml"))
	if cat == nil {
		t.Fatalf("Load returned no catalog: %v", diags)
	}
	built, more := Build(context.Background(), cat)
	var out []string
	for _, d := range append(diags, more...).Sort() {
		prefix := ""
		if base := filepath.Base(d.File); base != "flow.yaml" {
			prefix = base + ":"
		}
		out = append(out, prefix+itoa(d.Line)+":"+itoa(d.Col)+" "+d.Code)
	}
	return built, out
}

const okSchema = `{type: object, properties: {id: {type: string}, n: {type: integer}}, required: [id]}`

func TestBuildDiagnostics(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"valid", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
`}, nil},
		{"unknown property with suggestion", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id], projectons: {}}
`}, []string{"3:115 catalog.unknown-property"}},
		{"wrong types of values", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: /id}
captures:
  a/c: {endpoint: {connector: {image: 3, config: {}}}, bindings: [], interval: soon}
`}, []string{"3:108 catalog.type", "5:39 catalog.type", "5:80 catalog.duration"}},
		{"schema combination", map[string]string{"flow.yaml": `
collections:
  a/b: {writeSchema: ` + okSchema + `, key: [/id]}
`}, []string{"3:3 collection.schema-combination"}},
		{"partition must be keyable and a token", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema: {type: object, properties: {id: {type: string}, tags: {type: array}}}
    key: [/id]
    projections:
      the tags: {location: /tags, partition: true}
`}, []string{"7:7 name.invalid", "7:28 schema.key-wrong-type"}},
		{"selector of unknown and empty values", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema: {type: object, properties: {id: {type: string}, r: {type: string}}, required: [id, r]}
    key: [/id]
    projections: {r: {location: /r, partition: true}}
materializations:
  a/m:
    endpoint: {local: {command: [cat], config: {}}}
    bindings:
      - source: {name: a/b, partitions: {include: {r: [""]}, exclude: {x: [1]}}}
        resource: {t: 1}
`}, []string{"11:56 selector.empty-string", "11:75 selector.not-partition"}},
		{"time bounds", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
materializations:
  a/m:
    endpoint: {local: {command: [cat], config: {}}}
    bindings:
      - resource: {t: 1}
        source: {name: a/b, notBefore: "2024-02-01T00:00:00Z", notAfter: "2024-01-01T00:00:00Z"}
      - resource: {t: 2}
        source: {name: a/b, notBefore: yesterday}
`}, []string{"9:40 source.time-bounds", "11:40 catalog.timestamp"}},
		{"shuffle key types differ", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
  a/d:
    schema: ` + okSchema + `
    key: [/id]
    derive:
      using: {typescript: {module: "export class Derivation {}"}}
      transforms:
        - {name: one, source: a/b, shuffle: {key: [/id]}}
        - {name: two, source: a/b, shuffle: {key: [/n]}}
        - {name: three, source: a/b, shuffle: {key: []}}
`}, []string{"11:18 derive.shuffle-key-types", "12:53 derive.shuffle-key-empty"}},
		{"declared shuffle types and lambda shuffles", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
  a/d:
    schema: ` + okSchema + `
    key: [/id]
    derive:
      using: {typescript: {module: "export class Derivation {}"}}
      shuffleKeyTypes: [integer]
      transforms:
        - {name: one, source: a/b, shuffle: {key: [/id]}}
  a/e:
    schema: ` + okSchema + `
    key: [/id]
    derive:
      using: {typescript: {module: "export class Derivation {}"}}
      transforms:
        - {name: one, source: a/b, shuffle: {lambda: "SELECT 1;"}}
`}, []string{"11:18 derive.shuffle-key-types", "16:7 derive.shuffle-key-infer"}},
		{"migration failure", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
  a/d:
    schema: ` + okSchema + `
    key: [/id]
    derive:
      using: {sqlite: {migrations: [m.sql, "CREATE TABLE t (x);"]}}
      transforms:
        - {name: one, source: a/b, shuffle: any, lambda: "INSERT INTO t VALUES ($id);"}
        - {name: two, source: a/b, shuffle: any, lambda: "SELECT $id"}
        - {name: three, source: a/b, shuffle: any}
        - {name: four, source: a/b, shuffle: any, disable: true}
`, "m.sql": "CREATE TABLE t (x);\n"}, []string{"8:44 derive.sqlite-migration", "11:58 derive.sqlite-lambda", "12:18 derive.sqlite-lambda"}},
		{"storage mappings", map[string]string{"flow.yaml": `
storageMappings:
  a/: {stores: [data/, {provider: S3, bucket: b}]}
  bad: {stores: []}
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
  c/d: {schema: ` + okSchema + `, key: [/id]}
`}, []string{"4:3 storage.no-stores", "4:3 storage.prefix", "7:3 storage.unmapped"}},
		{"test documents", map[string]string{"flow.yaml": `
collections:
  a/b: {schema: ` + okSchema + `, key: [/id]}
tests:
  a/t:
    steps:
      - ingest: {collection: a/b, documents: [{id: x}, 5]}
      - ingest: {collection: a/b, documents: docs.yaml}
      - verify: {collection: {name: a/b, notAfter: "2024-01-01T00:00:00Z"}, documents: []}
      - verify: {collection: a/b, documents: {}}
`, "docs.yaml": "[{id: 1}]"}, []string{"7:56 test.documents", "8:46 test.ingest-invalid", "9:52 test.time-bounds", "10:46 test.documents"}},
		{"unsupported import", map[string]string{"flow.yaml": `
import: [other.yaml#/frag, "ftp://x/y.yaml"]
`, "other.yaml": "{}"}, []string{"2:10 load.import-fragment", "2:28 load.fetch"}},
		{"missing schema $ref", map[string]string{"flow.yaml": `
collections:
  a/b:
    schema: {type: object, properties: {id: {$ref: "defs.yaml#/id"}}}
    key: [/id]
`}, []string{"4:52 load.missing-file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got := check(t, c.files)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
