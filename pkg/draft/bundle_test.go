package draft

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestBundle(t *testing.T) {
	specs, err := Bundle("testdata/bundle/flow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]api.DraftSpec{}
	var names []string
	for _, s := range specs {
		byName[s.CatalogName] = s
		names = append(names, s.CatalogName)
	}
	if got := strings.Join(names, ","); got != "acmeCo/gone,acmeCo/orders,acmeCo/sub/mat,acmeCo/sub/test,acmeCo/totals" {
		t.Fatalf("names = %s", got)
	}
	if !byName["acmeCo/gone"].IsDeletion() {
		t.Error("`delete: true` did not become a deletion")
	}
	orders := byName["acmeCo/orders"]
	if orders.ExpectPubID != "00000000000000aa" || strings.Contains(string(orders.Spec), "expectPubId") {
		t.Errorf("expectPubId was not lifted: %+v", orders)
	}
	abs, _ := filepath.Abs("testdata/bundle")
	for _, want := range []string{
		`"$id":"file://` + abs + `/orders.schema.yaml"`,                  // relative $refs keep resolving
		`"file://` + abs + `/sub/defs.schema.yaml":{"$defs":{"customer"`, // the referenced file is bundled
		`"const":12345678901234567890`,                                   // integers stay exact
	} {
		if !strings.Contains(compact(t, orders.Spec), want) {
			t.Errorf("orders spec lacks %s:\n%s", want, orders.Spec)
		}
	}
	for name, want := range map[string][]string{
		"acmeCo/totals":   {`"migrations":["CREATE TABLE totals (id TEXT PRIMARY KEY);\n","CREATE TABLE t (x INTEGER);"]`, `"lambda":"SELECT $id, 1 AS n;"`},
		"acmeCo/sub/mat":  {`"config":{"path":"/tmp/x.db"}`, `"resource":{"table":"orders"}`},
		"acmeCo/sub/test": {`"documents":[{"id":"a"}]`},
	} {
		for _, w := range want {
			if !strings.Contains(compact(t, byName[name].Spec), w) {
				t.Errorf("%s lacks %s:\n%s", name, w, byName[name].Spec)
			}
		}
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	v, err := decodeJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.String()
}

func TestBundleErrors(t *testing.T) {
	cases := []struct {
		name, catalog, want string
	}{
		{"missing import", "import: [nope.yaml]", "#/import/0: reading"},
		{"missing schema", "collections:\n  a/b: {schema: nope.schema.yaml, key: [/id]}", "#/collections/a~1b/schema: reading"},
		{"bad name", "collections:\n  a/../b: {schema: {type: object}, key: [/id]}", `".." are not allowed`},
		{"unknown key", "colections: {}", `unknown top-level key "colections"`},
		{"not an object", "- 1", "a catalog must be an object"},
		{"remote import", "import: [https://example.com/flow.yaml]", "only local files can be bundled"},
		{"bad YAML", "collections: [", "parsing"},
		{"anchor fragment", "collections:\n  a/b: {schema: 's.yaml#Anchor', key: [/id]}", "only JSON pointer fragments"},
		{"twice", "import: [other.yaml]\ncollections:\n  a/b: {schema: {type: object}, key: [/id]}", "a/b is defined twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "flow.yaml"), tc.catalog)
			write(t, filepath.Join(dir, "s.yaml"), "type: object")
			write(t, filepath.Join(dir, "other.yaml"), "collections:\n  a/b: {schema: {type: object}, key: [/id]}")
			_, err := Bundle(filepath.Join(dir, "flow.yaml"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
