package journal

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A reader at the head of a live spool must keep to it while it takes appends, and move on once it
// is rolled: the writing Local answers from memory, a read-only one by listing the spools.
func TestReaderAtHeadFollowsRolledSpool(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		name := map[bool]string{false: "writer", true: "read-only"}[readOnly]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			l := openTestLocal(t, dir, &fakeClock{time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}, FragmentTemplate{CompressionCodec: "NONE"})
			defer l.Close()
			ctx := context.Background()
			var reading Client = l
			if readOnly {
				r, err := OpenLocal(LocalOptions{DataDir: dir, ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				reading = r
			}
			appendDoc := func(doc string) {
				t.Helper()
				if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte(doc + "\n")}}); err != nil {
					t.Fatal(err)
				}
			}
			appendDoc("a")
			cr, err := reading.Read(ctx, ReadRequest{Journal: eu})
			if err != nil {
				t.Fatal(err)
			}
			defer cr.Close()
			// next reads what there is up to the head.
			next := func() string {
				t.Helper()
				var got strings.Builder
				for {
					c, err := cr.Next(ctx)
					if errors.Is(err, io.EOF) {
						return got.String()
					} else if err != nil {
						t.Fatal(err)
					}
					got.Write(c.Data)
				}
			}
			if got := next(); got != "a\n" {
				t.Fatalf("first read %q", got)
			}
			appendDoc("b")
			if got := next(); got != "b\n" {
				t.Fatalf("read of the live spool %q", got)
			}
			l.mu.Lock()
			err = l.rollLocked(l.journals[eu])
			l.mu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if got := next(); got != "" {
				t.Fatalf("read after the roll %q", got)
			}
			appendDoc("c")
			if got := next(); got != "c\n" {
				t.Fatalf("read of the spool after the roll %q", got)
			}
		})
	}
}

// A put into a directory it created before, but that was removed since, creates it again.
func TestFileStorePutRemembersDirectories(t *testing.T) {
	root := t.TempDir()
	s, err := newFileStore(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	put := func(rel string) {
		t.Helper()
		if err := s.Put(ctx, rel, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }); err != nil {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(filepath.Join(root, rel)); err != nil || string(data) != "x" {
			t.Fatalf("%s: %q, %v", rel, data, err)
		}
	}
	const hour00, hour01 = "j/utc_date=2025-01-01/utc_hour=00/a.raw", "j/utc_date=2025-01-01/utc_hour=01/a.raw"
	put(hour00)
	put(strings.Replace(hour00, "a.raw", "b.raw", 1))
	if _, known := s.dirs[filepath.Join(root, "j/utc_date=2025-01-01/utc_hour=00")]; !known {
		t.Fatalf("the hour's directory is not remembered: %v", s.dirs)
	}
	if err := os.RemoveAll(filepath.Join(root, "j")); err != nil {
		t.Fatal(err)
	}
	put(hour00)
	put(hour01)
}

// TestBlockingReaderSeesAppendBeforeItsWait: an append that lands after a blocking reader found the
// end of its live spool, but before it waits, wakes it at once rather than after PollInterval.
func TestBlockingReaderSeesAppendBeforeItsWait(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLocal(LocalOptions{DataDir: dir, FlushCheck: time.Hour, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.AddCollection(CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("a\n")}}); err != nil {
		t.Fatal(err)
	}
	cr, err := l.Read(ctx, ReadRequest{Journal: eu, Block: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	if c, err := cr.Next(ctx); err != nil || string(c.Data) != "a\n" {
		t.Fatalf("first read %q, %v", c.Data, err)
	}
	appended := false
	atSpoolHead = func() {
		if !appended {
			appended = true
			if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("b\n")}}); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { atSpoolHead = nil }()
	c, err := cr.Next(ctx)
	if err != nil || string(c.Data) != "b\n" {
		t.Fatalf("the append made before the wait was not seen: %q, %v", c.Data, err)
	}
}
