package materialize

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recordSyncs replaces syncDir for the test, recording each directory synced (relative to root,
// slash-separated, "." for root) and failing with fail when it is not nil.
func recordSyncs(t *testing.T, root string, fail error) *[]string {
	t.Helper()
	var synced []string
	syncDir = func(dir string) error {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatalf("synced %s outside %s", dir, root)
		}
		synced = append(synced, filepath.ToSlash(rel))
		return fail
	}
	t.Cleanup(func() { syncDir = realSyncDir })
	return &synced
}

var realSyncDir = syncDir

// spoolAppend writes lines as a committed spool of the transactor and describes its append to path.
func spoolAppend(t *testing.T, tr *filesTransactor, path, lines string) fileAppend {
	t.Helper()
	if err := os.MkdirAll(tr.stateDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	spool := tr.filePrefix() + strings.ReplaceAll(path, "/", "_") + ".spool"
	if err := os.WriteFile(filepath.Join(tr.stateDir(), spool), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var offset int64
	if info, err := os.Stat(filepath.Join(tr.dir, filepath.FromSlash(path))); err == nil {
		offset = info.Size()
	}
	return fileAppend{Path: path, Offset: offset, Spool: spool, Length: int64(len(lines))}
}

// Every directory an append creates is an entry of its parent, which must be synced for the entry
// to survive a crash; so must the directory holding a newly created file.
func TestFilesAppendSyncsTheParentOfEveryCreatedDirectory(t *testing.T) {
	cases := []struct {
		name     string
		existing []string // files present before the append
		path     string
		want     []string // directories synced, in any order
	}{
		{"new file in the root", nil, "out.jsonl", []string{"."}},
		{"existing file", []string{"out.jsonl"}, "out.jsonl", nil},
		{"new file in an existing directory", []string{"a/other.jsonl"}, "a/out.jsonl", []string{"a"}},
		{"one new directory", nil, "a/out.jsonl", []string{"a", "."}},
		{"three new directories", nil, "a/b/c/out.jsonl", []string{"a/b/c", "a/b", "a", "."}},
		{"new directories under an existing one", []string{"a/x.jsonl"}, "a/b/c/out.jsonl", []string{"a/b/c", "a/b", "a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tr := &filesTransactor{dir: root, task: "acmeCo/to-files"}
			for _, f := range tc.existing {
				p := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			a := spoolAppend(t, tr, tc.path, "{\"id\":1}\n")
			synced := recordSyncs(t, root, nil)
			if err := tr.applyAppend(a); err != nil {
				t.Fatal(err)
			}
			got, want := slices.Sorted(slices.Values(*synced)), slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Fatalf("synced directories %q, want %q", got, want)
			}
			raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tc.path)))
			if err != nil || !strings.HasSuffix(string(raw), "{\"id\":1}\n") {
				t.Fatalf("file holds %q (%v)", raw, err)
			}
		})
	}
}

func TestFilesAppendReportsAFailedDirectorySync(t *testing.T) {
	root := t.TempDir()
	tr := &filesTransactor{dir: root, task: "acmeCo/to-files"}
	a := spoolAppend(t, tr, "a/out.jsonl", "{\"id\":1}\n")
	broken := errors.New("disk gone")
	recordSyncs(t, root, broken)
	if err := tr.applyAppend(a); !errors.Is(err, broken) {
		t.Fatalf("error %v, want the sync's", err)
	}
}

// Opening creates the state directory, whose entry in the materialized directory must be durable
// before checkpoints are written into it.
func TestFilesOpenSyncsTheNewStateDirectorysParent(t *testing.T) {
	root := t.TempDir()
	tr := &filesTransactor{dir: filepath.Join(root, "out"), task: "acmeCo/to-files"}
	synced := recordSyncs(t, root, nil)
	if _, err := tr.recover(); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(slices.Values(*synced)); !slices.Equal(got, []string{".", "out"}) {
		t.Fatalf("synced directories %q, want the parents of out and out/%s", got, filesStateDir)
	}
}
