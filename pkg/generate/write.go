package generate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
		if err := writeAtomic(f.Path, f.Content); err != nil {
			return written, err
		}
		written = append(written, f.Path)
	}
	return written, nil
}

func writeAtomic(path string, content []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating directory for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(content); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	// The rename is durable only once the directory entry is.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
