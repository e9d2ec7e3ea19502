package sourcefile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// sessionError runs a session from state until it fails and returns its error.
func sessionError(t *testing.T, path string, state json.RawMessage) error {
	t.Helper()
	s, _ := capturetest.Open(t, Image, captureSpec(path, `{"stream":"s"}`), state)
	for {
		if _, err := s.Next(t); err != nil {
			return err
		}
	}
}

func TestResumeByFileIdentity(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, path string) // applied between two sessions, after ids 0 to 2
		want   string                          // ids of the second session
	}{
		{"unchanged", func(*testing.T, string) {}, ""},
		{"grown in place", func(t *testing.T, path string) { appendLines(t, path, 3, 5) }, "3 4"},
		{"replaced by a shorter file", func(t *testing.T, path string) { replaceFile(t, path, 7, 8) }, "7"},
		{"replaced by a file of the same length", func(t *testing.T, path string) { replaceFile(t, path, 4, 7) }, "4 5 6"},
		{"rewritten in place (copytruncate)", func(t *testing.T, path string) { writeLines(t, path, 5, 9) }, "5 6 7 8"},
		{"replaced by a copy of itself grown", func(t *testing.T, path string) {
			// A new file is read whole even if it starts alike: repeats keep their keys; losses are silent.
			content, _ := os.ReadFile(path)
			if err := os.WriteFile(path+".next", append(content, `{"id":3,"name":"n3"}`+"\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path+".next", path); err != nil {
				t.Fatal(err)
			}
		}, "0 1 2 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.ndjson")
			writeLines(t, path, 0, 3)
			_, state := captureIDs(t, path, nil)
			tc.change(t, path)
			ids, state := captureIDs(t, path, state)
			if strings.Join(ids, " ") != tc.want {
				t.Fatalf("second session captured %v, want %s", ids, tc.want)
			}
			// Whatever happened, the state now describes the file as it is: nothing is read twice.
			if again, _ := captureIDs(t, path, state); len(again) != 0 {
				t.Fatalf("third session captured %v again", again)
			}
		})
	}
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	more := filepath.Join(t.TempDir(), "more")
	writeLines(t, more, from, to)
	content, err := os.ReadFile(more)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
}

// A file cut shorter in place is still the file whose bytes were captured, so which of its records
// are new cannot be told: the session fails rather than guess.
func TestAFileCutInPlaceIsAnError(t *testing.T) {
	for _, keep := range []int64{headLimit + 5, 30} { // beyond and within the fingerprinted bytes
		path := filepath.Join(t.TempDir(), "events.ndjson")
		writeLines(t, path, 0, 100) // 2,280 bytes: the fingerprint covers 1 KiB
		_, state := captureIDs(t, path, nil)
		if err := os.Truncate(path, keep); err != nil {
			t.Fatal(err)
		}
		err := sessionError(t, path, state)
		if want := fmt.Sprintf("is now %d bytes, shorter than the 2280 bytes already captured", keep); !strings.Contains(err.Error(), want) {
			t.Errorf("cut to %d bytes: error %v, want %q", keep, err, want)
		}
	}
}

// States written before identities were recorded hold bare offsets: reading resumes at them, and
// the next checkpoint records the identity.
func TestOldFormatStateResumesAtItsOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.ndjson")
	writeLines(t, path, 0, 5) // 21 bytes a line
	old := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]int64{path: 42}}}})
	ids, state := captureIDs(t, path, old)
	if strings.Join(ids, " ") != "2 3 4" {
		t.Fatalf("resumed from a bare offset: %v, want 2 3 4", ids)
	}
	want := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]any{path: wantFileState(t, path, 105)}}}})
	if string(state) != string(want) {
		t.Fatalf("state = %s\nwant    %s", state, want)
	}

	shrunk := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]int64{path: 500}}}})
	if err := sessionError(t, path, shrunk); !strings.Contains(err.Error(), "shorter than the 500 bytes already captured") {
		t.Fatalf("bare offset past the end: error %v", err)
	}
}

// The fingerprint covers the first KiB at most, however far the file is read.
func TestFingerprintCoversTheFirstKiB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.ndjson")
	writeLines(t, path, 0, checkpointEvery+10)
	_, state := captureIDs(t, path, nil)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	want := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]any{path: wantFileState(t, path, info.Size())}}}})
	if string(state) != string(want) {
		t.Fatalf("state = %s\nwant    %s", state, want)
	}
}

func TestFileStateParsing(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	cases := []struct {
		in, want string // want is the state re-encoded, or the error
	}{
		{`42`, `{"offset":42}`},
		{` 0 `, `{"offset":0}`},
		{`{"offset":7}`, `{"offset":7}`},
		{`{"offset":2000,"device":1,"inode":2,"headLength":1024,"headSHA256":"` + sum + `"}`,
			`{"offset":2000,"device":1,"inode":2,"headLength":1024,"headSHA256":"` + sum + `"}`},
		{`{"offset":5,"headLength":5,"headSHA256":"` + sum + `"}`, `{"offset":5,"headLength":5,"headSHA256":"` + sum + `"}`},
		{`-1`, "offset is -1, which is negative"},
		{`{"offset":-3}`, "offset is -3, which is negative"},
		{`"42"`, "must be its byte offset or an object"},
		{`4.5`, "must be its byte offset or an object"},
		{`{"offset":5,"size":5}`, `unknown field "size"`},
		{`{"offset":5,"headLength":5}`, "headLength without a headSHA256"},
		{`{"offset":2000,"headLength":2000,"headSHA256":"` + sum + `"}`, "headLength is 2000, want 1024 for offset 2000"},
		{`{"offset":5,"headLength":5,"headSHA256":"xyz"}`, `headSHA256 "xyz" is not a hex SHA-256`},
		{`{"offset":5,"headLength":5,"headSHA256":"abcd"}`, `headSHA256 "abcd" is not a hex SHA-256`},
	}
	for _, tc := range cases {
		var s fileState
		err := json.Unmarshal([]byte(tc.in), &s)
		got := string(jsonOf(s))
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) || (err == nil && got != tc.want) {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzFileState(f *testing.F) {
	f.Add([]byte(`42`))
	f.Add([]byte(`{"offset":5,"device":1,"inode":2,"headLength":5,"headSHA256":"` + strings.Repeat("0", 64) + `"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s fileState
		if err := json.Unmarshal(raw, &s); err != nil {
			return
		}
		// Whatever is accepted is a valid state and reads back the same.
		if err := s.check(); err != nil {
			t.Fatalf("accepted %s: %v", raw, err)
		}
		var again fileState
		if err := json.Unmarshal(jsonOf(s), &again); err != nil || again != s {
			t.Fatalf("%s re-read as %+v (%v), was %+v", jsonOf(s), again, err, s)
		}
	})
}
