package journal

import (
	"context"
	"testing"
	"time"
)

// A collection's changed journals.fragments settings reach journals created under the old ones:
// in the running store, in journal.json (what list-journals reads), and in the next fragment's
// codec, while the spool written under the old codec is persisted with it.
func TestChangedFragmentSettingsReachExistingJournals(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	l := openTestLocal(t, dir, clock, FragmentTemplate{}) // Flow's defaults: 512 MiB, GZIP, 24h
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("\"a\"\n")}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	changed := FragmentTemplate{Length: 64 << 20, CompressionCodec: "NONE", FlushInterval: time.Hour, Retention: 48 * time.Hour}
	l = openTestLocal(t, dir, clock, changed)
	defer l.Close()
	check := func(c Client, who string) {
		t.Helper()
		infos, err := c.ListJournals(ctx, "acme/events")
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) != 1 || infos[0].Fragments != changed {
			t.Fatalf("%s lists %+v, want one journal with fragments %+v", who, infos, changed)
		}
	}
	check(l, "the writer")
	reader, err := OpenLocal(LocalOptions{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	check(reader, "a read-only open")
	reader.Close()

	// The fragment persisted under the old settings stays GZIP; the next one is NONE.
	clock.t = clock.t.Add(time.Hour)
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("\"b\"\n")}}); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Hour)
	l.mu.Lock()
	err = l.rollIfDueLocked(l.journals[eu], clock.now())
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.persistRolled(ctx); err != nil {
		t.Fatal(err)
	}
	frags, err := l.ListFragments(ctx, eu)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 2 || frags[0].Codec != CodecGzip || frags[1].Codec != CodecNone {
		t.Fatalf("fragments %+v, want a GZIP one then a NONE one", frags)
	}
	// Changed back while a spool holds content: that spool's fragment keeps the codec it began with.
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("\"c\"\n")}}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddCollection(CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("\"d\"\n")}}); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	err = l.rollLocked(l.journals[eu])
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.persistRolled(ctx); err != nil {
		t.Fatal(err)
	}
	if frags, _ = l.ListFragments(ctx, eu); len(frags) != 3 || frags[2].Codec != CodecNone {
		t.Fatalf("fragments %+v, want the third NONE", frags)
	}
	if got := readAll(t, l, eu, 0); got != "\"a\"\n\"b\"\n\"c\"\n\"d\"\n" {
		t.Fatalf("content %q", got)
	}
}
