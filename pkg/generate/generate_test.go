package generate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// Once written, the starters complete the catalog: it loads and builds with no diagnostic, so the
// SQL starters apply and prepare in SQLite.
func TestStartersCompleteTheCatalog(t *testing.T) {
	dir := copyDir(t, "testdata/typescript")
	if _, err := WriteFiles(generateIn(t, dir, "starters.flow.yaml").Files); err != nil {
		t.Fatal(err)
	}
	cat, diags := catalog.Load(context.Background(), filepath.Join(dir, "starters.flow.yaml"))
	if len(diags) > 0 {
		t.Fatalf("load: %s", diags.Error())
	}
	if _, diags := catalog.Build(context.Background(), cat); len(diags) > 0 {
		t.Fatalf("build: %s", diags.Error())
	}
}

func TestCatalogErrorsGenerateNothing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	catalogText := `collections:
  acme/x:
    schema: {type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
    derive:
      using: {typescript: {module: x.ts}}
      transforms: [{name: a, source: acme/missing, shuffle: any}]
  acme/y:
    schema: schemas/missing.yaml
    key: [/id]
`
	if err := os.WriteFile(src, []byte(catalogText), 0o644); err != nil {
		t.Fatal(err)
	}
	res, diags, err := Generate(context.Background(), src, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res != nil {
		t.Fatalf("got files %v for a catalog with errors", res.Files)
	}
	text := diags.Error()
	for _, want := range []string{"acme/missing", "missing.yaml"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics do not mention %s:\n%s", want, text)
		}
	}
	// The missing module gets a starter, so it is not an error of its own.
	if strings.Contains(text, "x.ts") {
		t.Errorf("the missing module x.ts is reported:\n%s", text)
	}
}

func TestTransformsSharingAMethodAreRefused(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	catalogText := `collections:
  acme/src:
    schema: {type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
  acme/x:
    schema: {type: object, properties: {id: {type: string}}, required: [id]}
    key: [/id]
    derive:
      using: {typescript: {module: "export class Derivation {}\n"}}
      transforms:
        - {name: from-src, source: acme/src, shuffle: any}
        - {name: from_src, source: acme/src, shuffle: any}
`
	if err := os.WriteFile(src, []byte(catalogText), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Generate(context.Background(), src, dir)
	if err == nil || !strings.Contains(err.Error(), `"from-src" and "from_src" both become the TypeScript method fromSrc()`) {
		t.Fatalf("got %v", err)
	}
}

func TestCamelCase(t *testing.T) {
	for _, tc := range []struct{ in, lower, upper string }{
		{"fromOrders", "fromOrders", "FromOrders"},
		{"from-orders", "fromOrders", "FromOrders"},
		{"from_sites.v2", "fromSitesV2", "FromSitesV2"},
		{"--x", "X", "X"},
		{"über straße", "überStraße", "ÜberStraße"},
		{"a1b", "a1b", "A1b"},
		{"", "", ""},
	} {
		if got := camelCase(tc.in, false); got != tc.lower {
			t.Errorf("camelCase(%q, false) = %q, want %q", tc.in, got, tc.lower)
		}
		if got := camelCase(tc.in, true); got != tc.upper {
			t.Errorf("camelCase(%q, true) = %q, want %q", tc.in, got, tc.upper)
		}
	}
}

func TestProjectRoot(t *testing.T) {
	top := t.TempDir()
	mid := filepath.Join(top, "mid")
	leaf := filepath.Join(mid, "leaf")
	if err := os.MkdirAll(leaf, 0o755); err != nil {
		t.Fatal(err)
	}
	touch := func(p string) {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	touch(filepath.Join(mid, "flow.yaml"))
	touch(filepath.Join(leaf, "x.flow.yaml"))
	wd, _ := os.Getwd()
	for _, tc := range []struct{ source, want string }{
		// The source's directory, then parents for as long as they hold a flow.yaml.
		{filepath.Join(leaf, "x.flow.yaml"), mid},
		{"file://" + filepath.ToSlash(filepath.Join(leaf, "x.flow.yaml")), mid},
		// The directory of mid/flow.yaml is mid; top holds no flow.yaml.
		{filepath.Join(mid, "flow.yaml"), mid},
		// A remote source is generated into the working directory.
		{"https://example.com/flow.yaml", wd},
	} {
		got, err := ProjectRoot(tc.source)
		if err != nil || got != tc.want {
			t.Errorf("ProjectRoot(%q) = %q, %v; want %q", tc.source, got, err, tc.want)
		}
	}
}

func TestUnionOf(t *testing.T) {
	str, num := &tsNode{kind: tsString}, &tsNode{kind: tsNumber}
	commented := &tsNode{kind: tsComment, text: "c", of: str}
	for _, tc := range []struct {
		name  string
		nodes []*tsNode
		want  string
	}{
		{"empty is never", nil, "never"},
		{"one stays itself", []*tsNode{num}, "number"},
		{"repeats and comments drop", []*tsNode{str, commented, num}, "string | number"},
		{"nested unions flatten", []*tsNode{{kind: tsUnion, items: []*tsNode{num, str}}, str}, "number | string"},
		{"never adds nothing", []*tsNode{{kind: tsNever}, str}, "string"},
		{"unknown absorbs", []*tsNode{str, {kind: tsUnknown}}, "unknown"},
	} {
		if got := unionOf(tc.nodes...).String(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestWriteFilesLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "a", "b.ts")
	if _, err := WriteFiles([]File{{Path: target, Content: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	// A target that is a directory cannot be replaced: the error names it and nothing is left behind.
	blocked := filepath.Join(dir, "a", "blocked.ts")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := WriteFiles([]File{{Path: blocked, Content: []byte("y")}})
	if err == nil || !strings.Contains(err.Error(), blocked) {
		t.Fatalf("got %v, want an error naming %s", err, blocked)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "a"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "b.ts,blocked.ts" {
		t.Fatalf("directory holds %v, want only b.ts and blocked.ts", names)
	}
}
