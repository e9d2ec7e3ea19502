package generate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenCatalogs are the catalogs of testdata/typescript, each with a .golden of its output.
var goldenCatalogs = []string{"shapes.flow.yaml", "derivation.flow.yaml", "starters.flow.yaml"}

func TestTypeScriptGolden(t *testing.T) {
	for _, name := range goldenCatalogs {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, "testdata/typescript")
			res := generateIn(t, dir, name)
			checkGolden(t, filepath.Join("testdata/typescript", strings.TrimSuffix(name, ".flow.yaml")+".golden"),
				render(t, dir, res.Files))
		})
	}
}

// Generating twice gives the same bytes, and writing a second time touches no file.
func TestGenerateIsDeterministicAndIdempotent(t *testing.T) {
	for _, name := range goldenCatalogs {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, "testdata/typescript")
			first := generateIn(t, dir, name)
			written, err := WriteFiles(first.Files)
			if err != nil {
				t.Fatal(err)
			}
			if len(written) != len(first.Files) {
				t.Fatalf("first run wrote %d of %d files", len(written), len(first.Files))
			}
			stat := map[string]os.FileInfo{}
			for _, p := range written {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				stat[p] = fi
			}
			again := generateIn(t, dir, name)
			for _, f := range again.Files {
				if f.Starter {
					t.Errorf("starter %s planned again although it now exists", f.Path)
				}
				if before, err := os.ReadFile(f.Path); err != nil || !bytes.Equal(before, f.Content) {
					t.Errorf("%s: second run differs from the first", f.Path)
				}
			}
			written, err = WriteFiles(again.Files)
			if err != nil || len(written) != 0 {
				t.Fatalf("second run wrote %v (err %v), want nothing", written, err)
			}
			for p, fi := range stat {
				now, err := os.Stat(p)
				if err != nil || !now.ModTime().Equal(fi.ModTime()) {
					t.Errorf("%s was touched by the second run", p)
				}
			}
		})
	}
}
