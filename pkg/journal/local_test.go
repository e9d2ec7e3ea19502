package journal

import (
	"bytes"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// fakeClock is a settable clock for fragment dates and flush intervals.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func openTestLocal(t *testing.T, dir string, clock *fakeClock, frags FragmentTemplate) *Local {
	t.Helper()
	l, err := OpenLocal(LocalOptions{DataDir: dir, Now: clock.now, FlushCheck: time.Hour, PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddCollection(CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}, Fragments: frags}); err != nil {
		t.Fatal(err)
	}
	return l
}

// readAll reads a journal's content from offset to the write head.
func readAll(t *testing.T, c Client, journal string, offset int64) string {
	t.Helper()
	r, err := c.Read(context.Background(), ReadRequest{Journal: journal, Offset: offset})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	next := offset
	for {
		chunk, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		if chunk.Begin != next {
			t.Fatalf("chunk begins at %d, want %d", chunk.Begin, next)
		}
		next += int64(len(chunk.Data))
		out.Write(chunk.Data)
	}
}

const eu = "acme/events/region=EU/pivot=00"

func TestAppendReadPersistRecover(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)}
	l := openTestLocal(t, dir, clock, FragmentTemplate{Length: 64})
	ctx := context.Background()

	// Hold the persister back, so that the full spool is read while it is rolled but not persisted.
	l.persistMu.Lock()
	lines := []string{`{"a":1}` + "\n", `{"a":2}` + "\n", strings.Repeat("x", 70) + "\n", `{"a":3}` + "\n"}
	for _, line := range lines {
		if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte(line)}}); err != nil {
			t.Fatal(err)
		}
	}
	want := strings.Join(lines, "")
	if spools, _ := spoolBegins(l.journals[eu].dir); len(spools) != 2 {
		t.Fatalf("spools at %v, want the rolled one and the current one", spools)
	}
	for off := 0; off <= len(want); off++ {
		if got := readAll(t, l, eu, int64(off)); got != want[off:] {
			t.Fatalf("from %d before persisting: %q", off, got)
		}
	}
	l.persistMu.Unlock()
	if err := l.persistRolled(ctx); err != nil {
		t.Fatal(err)
	}
	// The third append took the spool past 64 bytes, so the first three are one fragment.
	frags, err := l.ListFragments(ctx, eu)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 1 || frags[0].Begin != 0 || frags[0].End != int64(len(lines[0])+len(lines[1])+len(lines[2])) {
		t.Fatalf("fragments %+v", frags)
	}
	if frags[0].PathPostfix != "utc_date=2025-03-04/utc_hour=05" {
		t.Fatalf("postfix %q", frags[0].PathPostfix)
	}
	// Reading from every offset returns the rest, across the fragment and the spool; an offset
	// inside a line returns bytes from there, as Gazette's reader does.
	for off := 0; off <= len(want); off++ {
		if got := readAll(t, l, eu, int64(off)); got != want[off:] {
			t.Fatalf("from %d: %q", off, got)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// A clean shutdown leaves only fragments, whose names match their content.
	l2 := openTestLocal(t, dir, clock, FragmentTemplate{Length: 64})
	defer l2.Close()
	frags, err = l2.ListFragments(ctx, eu)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 2 || frags[1].Begin != frags[0].End || frags[1].End != int64(len(want)) {
		t.Fatalf("after close: %+v", frags)
	}
	checkFragmentNames(t, dir, frags)
	// The write head is recovered: appends continue at the end.
	if err := l2.Append(ctx, []Append{{Journal: eu, Content: []byte("{}\n")}}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, l2, eu, 0); got != want+"{}\n" {
		t.Fatalf("after reopen: %q", got)
	}
}

// checkFragmentNames verifies that each fragment's offsets and SHA-1 match its uncompressed content.
func checkFragmentNames(t *testing.T, storeDir string, frags []Fragment) {
	t.Helper()
	for _, f := range frags {
		raw, err := os.ReadFile(filepath.Join(storeDir, filepath.FromSlash(f.ContentPath())))
		if err != nil {
			t.Fatal(err)
		}
		content := raw
		if f.Codec == CodecGzip {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", f.ContentPath(), err)
			}
			if content, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", f.ContentPath(), err)
			}
		}
		if int64(len(content)) != f.End-f.Begin || SHA1Sum(sha1.Sum(content)) != f.Sum {
			t.Fatalf("fragment %s holds %d bytes with sha1 %x", f.ContentPath(), len(content), sha1.Sum(content))
		}
	}
}

func TestFlushIntervalRollsFragments(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{time.Date(2025, 3, 4, 23, 59, 0, 0, time.UTC)}
	l := openTestLocal(t, dir, clock, FragmentTemplate{FlushInterval: time.Hour, CompressionCodec: "NONE"})
	defer l.Close()
	ctx := context.Background()
	append1 := func(s string) {
		if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte(s + "\n")}}); err != nil {
			t.Fatal(err)
		}
	}
	append1(`"a"`)
	clock.t = clock.t.Add(30 * time.Second) // Same hour: no roll.
	append1(`"b"`)
	clock.t = clock.t.Add(time.Minute) // Past midnight: the spool rolls before this append.
	append1(`"c"`)
	if err := l.persistRolled(ctx); err != nil {
		t.Fatal(err)
	}
	frags, err := l.ListFragments(ctx, eu)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 1 || frags[0].End != 8 || frags[0].PathPostfix != "utc_date=2025-03-04/utc_hour=23" || frags[0].Codec != CodecNone {
		t.Fatalf("fragments %+v", frags)
	}
	if !strings.HasSuffix(frags[0].ContentPath(), ".raw") {
		t.Fatalf("NONE fragment named %s", frags[0].ContentPath())
	}
	// The background check rolls an idle spool too.
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
	frags, _ = l.ListFragments(ctx, eu)
	if len(frags) != 2 || frags[1].PathPostfix != "utc_date=2025-03-05/utc_hour=00" {
		t.Fatalf("fragments after idle roll %+v", frags)
	}
	checkFragmentNames(t, dir, frags)
}

func TestAppendErrors(t *testing.T) {
	dir := t.TempDir()
	l := openTestLocal(t, dir, &fakeClock{time.Now()}, FragmentTemplate{})
	defer l.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		a    Append
		want string
	}{
		{Append{Journal: eu, Content: []byte(`{}`)}, "ending in a newline"},
		{Append{Journal: eu}, "ending in a newline"},
		{Append{Journal: "other/pivot=00", Content: []byte("{}\n")}, "no registered collection"},
		{Append{Journal: "acme/events/pivot=00", Content: []byte("{}\n")}, "partition field"},
		{Append{Journal: "acme/events/region=EU", Content: []byte("{}\n")}, "pivot"},
	} {
		err := l.Append(ctx, []Append{tc.a})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("append %+v: %v, want %q", tc.a, err, tc.want)
		}
	}
	// A second writer of the same directory is refused.
	if _, err := OpenLocal(LocalOptions{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Errorf("second writer: %v", err)
	}
	// Unsupported codecs are refused with the fix.
	err := l.AddCollection(CollectionSpec{Name: "z", Fragments: FragmentTemplate{CompressionCodec: "ZSTANDARD"}})
	if err == nil || !strings.Contains(err.Error(), "use GZIP") {
		t.Errorf("zstd: %v", err)
	}
}

func TestBlockingReadFollowsAppendsAndRolls(t *testing.T) {
	dir := t.TempDir()
	l := openTestLocal(t, dir, &fakeClock{time.Now()}, FragmentTemplate{Length: 10})
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte("{}\n")}}); err != nil {
		t.Fatal(err)
	}
	r, err := l.Read(ctx, ReadRequest{Journal: eu, Block: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var want, got bytes.Buffer
	want.WriteString("{}\n")
	go func() {
		for i := 0; i < 20; i++ {
			line := fmt.Sprintf(`{"i":%d}`+"\n", i)
			if err := l.Append(ctx, []Append{{Journal: eu, Content: []byte(line)}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 20; i++ {
		want.WriteString(fmt.Sprintf(`{"i":%d}`+"\n", i))
	}
	for got.Len() < want.Len() {
		c, err := r.Next(ctx)
		if err != nil {
			t.Fatalf("after %q: %v", got.String(), err)
		}
		got.Write(c.Data)
	}
	if got.String() != want.String() {
		t.Fatalf("followed %q", got.String())
	}
	// At the head, a blocking read waits until its context ends.
	short, cancelShort := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancelShort()
	if _, err := r.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("at head: %v", err)
	}
}

func TestReadOnlyOpenSeesAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	w := openTestLocal(t, dir, &fakeClock{time.Now()}, FragmentTemplate{})
	defer w.Close()
	if err := w.Append(context.Background(), []Append{{Journal: eu, Content: []byte("{}\n")}}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenLocal(LocalOptions{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	infos, err := r.ListJournals(context.Background(), "acme/events")
	if err != nil || len(infos) != 1 || infos[0].Name != eu || infos[0].Fragments.Length != DefaultFragmentLength {
		t.Fatalf("journals %+v, %v", infos, err)
	}
	if got := readAll(t, r, eu, 0); got != "{}\n" {
		t.Fatalf("read-only read %q", got)
	}
	if err := r.Append(context.Background(), []Append{{Journal: eu, Content: []byte("{}\n")}}); err == nil {
		t.Fatal("read-only append succeeded")
	}
	if _, err := r.Read(context.Background(), ReadRequest{Journal: "acme/events/region=XX/pivot=00"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing journal: %v", err)
	}
}
