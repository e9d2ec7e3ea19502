package generate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// File is a file generate writes.
type File struct {
	Path    string // absolute
	Content []byte
	// Starter files are written only when missing: once written they are the developer's.
	Starter bool
}

// WriteFiles writes files that are missing or whose content differs, each atomically (a
// temporary file in the same directory, synced, then renamed over the target), and returns the
// paths it wrote. Unchanged files are not touched, so running generate again changes nothing.
func WriteFiles(files []File) ([]string, error) {
	var written []string
	for _, f := range files {
		old, err := os.ReadFile(f.Path)
		switch {
		case err == nil && (f.Starter || bytes.Equal(old, f.Content)):
			continue
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return written, fmt.Errorf("reading %s: %w", f.Path, err)
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return written, fmt.Errorf("creating directory for %s: %w", f.Path, err)
		}
		if err := atomicfile.Write(f.Path, f.Content, 0o644); err != nil {
			return written, err
		}
		written = append(written, f.Path)
	}
	return written, nil
}
