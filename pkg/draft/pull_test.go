package draft

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

var pulled = []api.LiveSpec{
	{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: json.RawMessage(`{"schema":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},"key":["/id"]}`)},
	{CatalogName: "acmeCo/team/mat", SpecType: api.Materialization, Spec: json.RawMessage(`{"endpoint":{"connector":{"image":"x","config":{"b":1,"a":2}}},"bindings":[{"source":"acmeCo/orders","resource":{"table":"t"}}]}`)},
	{CatalogName: "acmeCo/team/deep/test", SpecType: api.Test, Spec: json.RawMessage(`[{"ingest":{"collection":"acmeCo/orders","documents":[{"id":"x"}]}}]`)},
	{CatalogName: "top", SpecType: api.Collection, Spec: json.RawMessage(`{"writeSchema":{"type":"object"},"readSchema":{"type":"object"},"key":["/k"]}`)},
}

func TestTreeLayout(t *testing.T) {
	files, err := Tree(pulled)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	want := []string{"acmeCo/flow.yaml", "acmeCo/orders.schema.yaml", "acmeCo/team/deep/flow.yaml", "acmeCo/team/flow.yaml",
		"flow.yaml", "top.read.schema.yaml", "top.write.schema.yaml"}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths = %v, want %v", paths, want)
	}
	wantText := map[string]string{
		"flow.yaml":        "collections:\n  top:\n    key:\n      - /k\n    readSchema: top.read.schema.yaml\n    writeSchema: top.write.schema.yaml\nimport:\n  - acmeCo/flow.yaml\n",
		"acmeCo/flow.yaml": "collections:\n  acmeCo/orders:\n    key:\n      - /id\n    schema: orders.schema.yaml\nimport:\n  - team/flow.yaml\n",
		"acmeCo/team/flow.yaml": "import:\n  - deep/flow.yaml\nmaterializations:\n  acmeCo/team/mat:\n    bindings:\n      - resource:\n          table: t\n        source: acmeCo/orders\n" +
			"    endpoint:\n      connector:\n        config:\n          a: 2\n          b: 1\n        image: x\n",
	}
	for p, w := range wantText {
		if string(files[p]) != w {
			t.Errorf("%s =\n%s\nwant\n%s", p, files[p], w)
		}
	}
}

// The pulled tree bundles back into the same specs, and pulling again writes the same bytes.
func TestTreeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files, err := Tree(pulled)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteTree(dir, files, false); err != nil {
		t.Fatal(err)
	}
	specs, err := Bundle(filepath.Join(dir, "flow.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != len(pulled) {
		t.Fatalf("bundled %d specs, want %d", len(specs), len(pulled))
	}
	byName := map[string]api.DraftSpec{}
	for _, s := range specs {
		byName[s.CatalogName] = s
	}
	for _, l := range pulled {
		got := byName[l.CatalogName]
		v, _ := decodeJSON(got.Spec)
		a, _ := json.Marshal(v)
		w, _ := decodeJSON(l.Spec)
		b, _ := json.Marshal(w)
		if got.SpecType != l.SpecType || string(a) != string(b) {
			t.Errorf("%s came back as %s %s, want %s %s", l.CatalogName, got.SpecType, a, l.SpecType, b)
		}
	}
	before := snapshot(t, dir)
	again, _ := Tree(pulled)
	if _, err := WriteTree(dir, again, false); err != nil {
		t.Fatalf("re-pulling unchanged specs: %v", err)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Error("re-pulling unchanged specs changed files")
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = info.ModTime().String() + "\n" + string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteTreeRefusesLocalEdits(t *testing.T) {
	dir := t.TempDir()
	files, _ := Tree(pulled)
	if _, err := WriteTree(dir, files, false); err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "acmeCo", "flow.yaml")
	if err := os.WriteFile(edited, []byte("# my edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	newFiles := map[string][]byte{"acmeCo/flow.yaml": files["acmeCo/flow.yaml"], "new.yaml": []byte("x: 1\n")}
	_, err := WriteTree(dir, newFiles, false)
	if err == nil || !strings.Contains(err.Error(), "acmeCo/flow.yaml") || !strings.Contains(err.Error(), "--overwrite") {
		t.Fatalf("got %v, want a refusal naming the edited file", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.yaml")); !os.IsNotExist(err) {
		t.Error("a refused pull wrote other files")
	}
	if _, err := WriteTree(dir, newFiles, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(edited); string(b) != string(files["acmeCo/flow.yaml"]) {
		t.Error("--overwrite did not replace the edited file")
	}
}

func TestWriteTreeStaysInsideTarget(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "acmeCo")); err != nil {
		t.Fatal(err)
	}
	for _, files := range []map[string][]byte{
		{"../escape.yaml": []byte("x")},
		{"acmeCo/flow.yaml": []byte("x")}, // through the symlink
	} {
		if _, err := WriteTree(dir, files, true); err == nil || !strings.Contains(err.Error(), "outside the target") {
			t.Errorf("WriteTree(%v) = %v, want a refusal", files, err)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files were written outside the target: %v", entries)
	}
	if _, err := Tree([]api.LiveSpec{{CatalogName: "a/../../b", SpecType: api.Collection, Spec: json.RawMessage(`{}`)}}); err == nil {
		t.Error("Tree accepted a name with ..")
	}
}

// FuzzTree checks that any collection name and spec the server could hand out lays out inside the
// target and round-trips through YAML.
func FuzzTree(f *testing.F) {
	f.Add("acmeCo/x", `{"key":["/id"],"schema":{"type":"object"}}`)
	f.Add("a/b/c", `{"n":1.5e3,"s":"multi\nline","z":null,"t":true}`)
	f.Add("x", `{"big":123456789012345678901234567890}`)
	f.Fuzz(func(t *testing.T, name, spec string) {
		if api.ValidateName(name) != nil || !json.Valid([]byte(spec)) {
			return
		}
		if v, _ := decodeJSON([]byte(spec)); v == nil {
			return
		} else if _, ok := v.(map[string]any); !ok {
			return
		}
		files, err := Tree([]api.LiveSpec{{CatalogName: name, SpecType: api.Materialization, Spec: json.RawMessage(spec)}})
		if err != nil {
			t.Fatal(err)
		}
		for p, content := range files {
			if strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
				t.Fatalf("path %q escapes the target", p)
			}
			if _, err := parseYAMLOrJSON(content); err != nil {
				t.Fatalf("%s is not valid YAML: %v\n%s", p, err, content)
			}
		}
	})
}
