package sourcefile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

// replaceFile puts a new file with ids [from, to) under path's name, as log rotation does: written
// beside it and renamed over it, so it is a different file (inode) from the one it replaces.
func replaceFile(t *testing.T, path string, from, to int) {
	t.Helper()
	next := path + ".next"
	writeLines(t, next, from, to)
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
}

// captureIDs runs a session to its end from state and returns the captured ids and the new state.
func captureIDs(t *testing.T, path string, state json.RawMessage) ([]string, json.RawMessage) {
	t.Helper()
	s, _ := capturetest.Open(t, Image, captureSpec(path, `{"stream":"s"}`), state)
	docs, states := s.UntilEOF(t)
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.Doc["id"].(json.Number).String())
	}
	return ids, capturetest.ApplyStates(t, state, states)
}

// Lines of equal length put the saved offset on a line boundary of the new file, where resuming
// there would quietly skip its first lines.
func TestRotationToALongerFileIsReadFromTheStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.ndjson")
	writeLines(t, path, 0, 3)
	_, state := captureIDs(t, path, nil)
	replaceFile(t, path, 3, 10)
	ids, _ := captureIDs(t, path, state)
	if strings.Join(ids, " ") != "3 4 5 6 7 8 9" {
		t.Fatalf("after rotation captured %v, want ids 3 to 9", ids)
	}
}

// wantFileState is the state of path read up to offset, computed from the file's bytes.
func wantFileState(t *testing.T, path string, offset int64) map[string]any {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	head := min(offset, headLimit)
	sum := sha256.Sum256(content[:head])
	device, inode, _ := deviceInode(info)
	return map[string]any{"offset": offset, "device": device, "inode": inode, "headLength": head, "headSHA256": hex.EncodeToString(sum[:])}
}
