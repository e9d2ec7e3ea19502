// Package catalogtest builds catalogs for tests, failing the test on any load or build error.
package catalogtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// BuildFile loads and builds the catalog at path.
func BuildFile(t testing.TB, path string) *catalog.Built {
	t.Helper()
	cat, diags := catalog.Load(context.Background(), path)
	if cat == nil || diags.HasErrors() {
		t.Fatalf("loading %s: %v", path, diags.Error())
	}
	built, diags := catalog.Build(context.Background(), cat)
	if diags.HasErrors() {
		t.Fatalf("building %s: %v", path, diags.Error())
	}
	return built
}

// Build writes flowYAML as flow.yaml, and files beside it, into a new temporary directory, then loads
// and builds it.
func Build(t testing.TB, flowYAML string, files map[string]string) *catalog.Built {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(path, []byte(flowYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return BuildFile(t, path)
}
