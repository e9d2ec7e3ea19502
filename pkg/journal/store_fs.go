package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// fileStore is a Store in a local directory, written as Gazette's fs store writes: a temporary
// ".partial-" file beside the target, fsynced and renamed into place.
type fileStore struct {
	root string
	// dirs are directories this store created or found, with their entries in their parents
	// synced: a journal's fragments go to one utc_date/utc_hour directory for an hour, so a put
	// need not look for it again. Bounded by maxKnownDirs.
	mu   sync.Mutex
	dirs map[string]struct{}
}

// maxKnownDirs bounds fileStore.dirs, which forgets them all when full: a long-running process
// adds a directory per journal and hour.
const maxKnownDirs = 4096

const partialPrefix = ".partial-"

func newFileStore(dir string) (*fileStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store directory %q: %w", dir, err)
	}
	return &fileStore{root: abs}, nil
}

func (s *fileStore) URL() string { return "file://" + filepath.ToSlash(s.root) + "/" }

func (s *fileStore) Put(ctx context.Context, rel string, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	target := filepath.Join(s.root, filepath.FromSlash(rel))
	dir := filepath.Dir(target)
	if err := s.ensureDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, partialPrefix+filepath.Base(target)+"-*")
	if errors.Is(err, fs.ErrNotExist) {
		// Removed by someone else since it was remembered: create it again.
		s.forgetDir(dir)
		if err = s.ensureDir(dir); err == nil {
			tmp, err = os.CreateTemp(dir, partialPrefix+filepath.Base(target)+"-*")
		}
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", target, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("renaming into %s: %w", target, err)
	}
	done = true
	return atomicfile.SyncDir(dir)
}

func (s *fileStore) List(ctx context.Context, prefix string, fn func(string, time.Time) error) error {
	start := filepath.Join(s.root, filepath.FromSlash(prefix))
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // A journal with no fragments yet, or a fragment removed while walking.
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), info.ModTime())
	})
	if err != nil {
		return fmt.Errorf("listing %s: %w", start, err)
	}
	return nil
}

func (s *fileStore) Open(_ context.Context, rel string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(s.root, filepath.FromSlash(rel)))
}

// ensureDir makes dir and its parents exist durably, looking on disk only for a directory not
// remembered.
func (s *fileStore) ensureDir(dir string) error {
	s.mu.Lock()
	_, known := s.dirs[dir]
	s.mu.Unlock()
	if known {
		return nil
	}
	if err := mkdirAllSynced(dir); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirs == nil || len(s.dirs) >= maxKnownDirs {
		s.dirs = map[string]struct{}{}
	}
	s.dirs[dir] = struct{}{}
	return nil
}

func (s *fileStore) forgetDir(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.dirs, dir)
}

// mkdirAllSynced creates dir and any missing parents, fsyncing each parent whose entries changed so
// that the new directories survive a crash.
func mkdirAllSynced(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating directory: %w", err)
	}
	return atomicfile.SyncDir(parent)
}

// removePartials deletes temporary files that a crash left under prefix: their fragments were never
// renamed into place, and their content is still in the spool.
func (s *fileStore) removePartials(prefix string) error {
	start := filepath.Join(s.root, filepath.FromSlash(prefix))
	return filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), partialPrefix) {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("removing a leftover partial fragment: %w", err)
			}
		}
		return nil
	})
}

func (s *fileStore) remove(rel string) error {
	if err := os.Remove(filepath.Join(s.root, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing fragment past its retention: %w", err)
	}
	return nil
}
