package journal

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// A spool persisted and removed after the reader listed spools and fragments, but before it opened
// the spool, must be found again as its fragment. The reader used to take the missing spool for
// content that was gone and skip forward past it, dropping acknowledged documents.
func TestReaderRelocatesSpoolPersistedWhileLocating(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{time.Date(2025, 3, 4, 23, 59, 0, 0, time.UTC)}
	l := openTestLocal(t, dir, clock, FragmentTemplate{FlushInterval: time.Hour, CompressionCodec: "NONE"})
	defer l.Close()
	ctx := context.Background()

	// Hold the background persister off until the reader has made both listings.
	l.persistMu.Lock()
	held := true
	defer func() {
		if held {
			l.persistMu.Unlock()
		}
	}()
	for i, doc := range []string{`"a"`, `"b"`, `"c"`} {
		if i == 2 {
			clock.t = clock.t.Add(time.Minute) // Past midnight: "c" rolls the spool of "a" and "b".
		}
		if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte(doc + "\n")}}); err != nil {
			t.Fatal(err)
		}
	}
	afterListings = func() {
		afterListings = nil
		l.persistMu.Unlock()
		held = false
		if err := l.persistRolled(ctx); err != nil { // waits for the background persister too
			t.Error(err)
		}
	}
	defer func() { afterListings = nil }()

	r, err := l.Read(ctx, ReadRequest{Journal: eu})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []byte
	for {
		c, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Data...)
	}
	if want := "\"a\"\n\"b\"\n\"c\"\n"; string(got) != want {
		t.Fatalf("read %q, want %q", got, want)
	}
	if afterListings != nil {
		t.Fatal("the reader never listed the rolled spool: the race was not exercised")
	}
}
