package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// Task types, as Flow names them in shard IDs.
const (
	TaskCapture         = "capture"
	TaskDerivation      = "derivation"
	TaskMaterialization = "materialize"
)

// RecoveryStore keeps one shard's committed checkpoint in
// `<data dir>/shards/<task type>/<task name>/checkpoint.json`. A commit replaces the file
// atomically (temporary file, fsync, rename, directory fsync), so a crash leaves either the old or
// the new checkpoint, never a mix.
type RecoveryStore struct {
	dir string
}

const checkpointFile = "checkpoint.json"

// OpenRecoveryStore opens (creating) the recovery store of a task under dataDir.
func OpenRecoveryStore(dataDir, taskType, taskName string) (*RecoveryStore, error) {
	dir := filepath.Join(dataDir, "shards", taskType, filepath.FromSlash(taskName))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the recovery store of %s %s: %w", taskType, taskName, err)
	}
	return &RecoveryStore{dir: dir}, nil
}

// Dir is the shard's directory, where engines may keep their own files (a derivation's database).
func (s *RecoveryStore) Dir() string { return s.dir }

// Load returns the last committed checkpoint, or nil if the shard never committed.
func (s *RecoveryStore) Load() (*ShardCheckpoint, error) {
	path := filepath.Join(s.dir, checkpointFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("reading shard checkpoint: %w", err)
	}
	cp, err := DecodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (remove the shard directory to start the task over)", path, err)
	}
	return cp, nil
}

// Commit durably replaces the stored checkpoint.
func (s *RecoveryStore) Commit(cp *ShardCheckpoint) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encoding shard checkpoint: %w", err)
	}
	return atomicfile.Write(filepath.Join(s.dir, checkpointFile), data, 0o644)
}

// DecodeCheckpoint parses a checkpoint written by Commit (or stored by a derivation engine).
func DecodeCheckpoint(data []byte) (*ShardCheckpoint, error) {
	var cp ShardCheckpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		return nil, fmt.Errorf("shard checkpoint is not valid: %w", err)
	}
	return &cp, nil
}
