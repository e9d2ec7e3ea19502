package materialize

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowctl/flowctl/internal/atomicfile"
	"github.com/flowctl/flowctl/pkg/connector"
)

// filesState is a task's record under <directory>/.flowctl: the last committed runtime
// checkpoint and the appends of the transaction that committed it. Renaming a new state into
// place is the commit point. The appends are redone at open, which is idempotent (each file is
// cut back to its recorded offset first), so a crash between the commit point and the appends
// loses nothing and duplicates nothing.
type filesState struct {
	Checkpoint *connector.Checkpoint `json:"checkpoint,omitempty"`
	Appends    []fileAppend          `json:"appends,omitempty"`
}

// fileAppend appends a spool, a transaction's lines for one file, at Offset of the file Path.
type fileAppend struct {
	Path   string `json:"path"`   // relative to the directory, slash-separated
	Offset int64  `json:"offset"` // the file's size before the transaction
	Spool  string `json:"spool"`  // file name under the state directory
	Length int64  `json:"length"`
}

func (t *filesTransactor) stateDir() string { return filepath.Join(t.dir, filesStateDir) }
func (t *filesTransactor) statePath() string {
	return filepath.Join(t.stateDir(), t.filePrefix()+"checkpoint.json")
}

// filePrefix starts the names of the task's files in the state directory; escaping keeps a task
// name's slashes out of the path.
func (t *filesTransactor) filePrefix() string { return url.PathEscape(t.task) + "." }

func (t *filesTransactor) readState() (filesState, error) {
	var s filesState
	raw, err := os.ReadFile(t.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	} else if err != nil {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("checkpoint file %s is damaged (%v): restore it, or remove it to materialize every document again", t.statePath(), err)
	}
	return s, nil
}

// writeState replaces the state file atomically: a synced temporary file renamed over it.
func (t *filesTransactor) writeState(s filesState) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return atomicfile.Write(t.statePath(), raw, 0o644)
}

// applyAppend writes a committed spool into its file, cutting the file back to the recorded
// offset first so that redoing it after a crash leaves the same bytes.
func (t *filesTransactor) applyAppend(a fileAppend) error {
	target := filepath.Join(t.dir, filepath.FromSlash(a.Path))
	spool, err := os.Open(filepath.Join(t.stateDir(), a.Spool))
	if err != nil {
		return fmt.Errorf("spool of committed lines for %s: %w; the last transaction cannot be redone", a.Path, err)
	}
	defer spool.Close()
	_, statErr := os.Stat(target)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := mkdirAllDurable(filepath.Dir(target)); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() < a.Offset {
		return fmt.Errorf("%s is %d bytes, shorter than the %d bytes it held before the last committed transaction: "+
			"it was changed outside flowctl; restore it, or remove %s to start over", target, info.Size(), a.Offset, t.statePath())
	}
	if err := f.Truncate(a.Offset); err != nil {
		return err
	}
	if _, err := f.Seek(a.Offset, io.SeekStart); err != nil {
		return err
	}
	if n, err := io.Copy(f, spool); err != nil {
		return fmt.Errorf("appending to %s: %w", target, err)
	} else if n != a.Length {
		return fmt.Errorf("spool of %s holds %d bytes, the checkpoint recorded %d: the state directory %s was changed outside flowctl",
			a.Path, n, a.Length, t.stateDir())
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if created { // the new directory entry must be durable too
		return syncDir(filepath.Dir(target))
	}
	return nil
}

// removeSpools deletes the task's spools that keep is not referencing.
func (t *filesTransactor) removeSpools(keep []fileAppend) error {
	entries, err := os.ReadDir(t.stateDir())
	if err != nil {
		return err
	}
	kept := map[string]bool{}
	for _, a := range keep {
		kept[a.Spool] = true
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, t.filePrefix()) && strings.HasSuffix(name, ".spool") && !kept[name] {
			if err := os.Remove(filepath.Join(t.stateDir(), name)); err != nil {
				return err
			}
		}
	}
	return nil
}
