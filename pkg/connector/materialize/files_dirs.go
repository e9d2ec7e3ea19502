package materialize

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// syncDir makes new entries of a directory durable; tests replace it to see which are synced.
var syncDir = atomicfile.SyncDir

// mkdirAllDurable creates dir and its missing parents and syncs the parent of each directory it
// created: a new directory is an entry of its parent, which a crash can lose until that is synced.
func mkdirAllDurable(dir string) error {
	created := missingDirs(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range created {
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// missingDirs lists dir and those of its ancestors that do not exist, deepest first.
func missingDirs(dir string) []string {
	var missing []string
	for {
		if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
			return missing
		}
		missing = append(missing, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			return missing
		}
		dir = parent
	}
}
