package testrunner

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/journal"
)

func TestCollectionOf(t *testing.T) {
	tests := []struct {
		journal, want string
		ok            bool
	}{
		{"acme/events/pivot=00", "acme/events", true},
		{"acme/events/kind=click/pivot=00", "acme/events", true},
		{"acme/events/a=1/b=%2F/pivot=00", "acme/events", true},
		{"acme/events", "", false},
		{"acme/events/kind=click", "", false},
	}
	for _, tc := range tests {
		got, ok := collectionOf(tc.journal)
		if got != tc.want || ok != tc.ok {
			t.Errorf("collectionOf(%q) = %q, %v; want %q, %v", tc.journal, got, ok, tc.want, tc.ok)
		}
	}
}

// readAll reads a journal from offset to its end.
func readAll(t *testing.T, m *memJournals, name string, offset int64) string {
	t.Helper()
	r, err := m.Read(context.Background(), journal.ReadRequest{Journal: name, Offset: offset})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for {
		c, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Begin != offset+int64(b.Len()) {
			t.Fatalf("chunk begins at %d, want %d", c.Begin, offset+int64(b.Len()))
		}
		b.Write(c.Data)
	}
}

func TestMemJournals(t *testing.T) {
	ctx := context.Background()
	m := newMemJournals()
	m.addCollection("acme/events")
	m.addCollection("acme/events/more") // a collection named under another one
	const j1, j2 = "acme/events/kind=click/pivot=00", "acme/events/more/pivot=00"
	if err := m.Append(ctx, []journal.Append{{Journal: j1, Content: []byte("a\n")}, {Journal: j2, Content: []byte("b\n")}}); err != nil {
		t.Fatal(err)
	}
	// A reader opened before an append sees it; a later offset sees only what follows.
	r, err := m.Read(ctx, journal.ReadRequest{Journal: j1})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Append(ctx, []journal.Append{{Journal: j1, Content: []byte("c\nd\n")}}); err != nil {
		t.Fatal(err)
	}
	if c, err := r.Next(ctx); err != nil || string(c.Data) != "a\nc\nd\n" {
		t.Fatalf("Next = %q, %v", c.Data, err)
	}
	if _, err := r.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("Next at the head = %v, want io.EOF", err)
	}
	if got := readAll(t, m, j1, 2); got != "c\nd\n" {
		t.Errorf("from offset 2: %q", got)
	}
	for collection, want := range map[string][]string{"acme/events": {j1}, "acme/events/more": {j2}, "": {j1, j2}} {
		infos, err := m.ListJournals(ctx, collection)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, info := range infos {
			got = append(got, info.Name)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("ListJournals(%q) = %v, want %v", collection, got, want)
		}
	}

	errs := []struct {
		name string
		err  error
		want string
	}{
		{"unknown collection", m.Append(ctx, []journal.Append{{Journal: "acme/events/kind=view/pivot=00", Content: []byte("x\n")},
			{Journal: "other/pivot=00", Content: []byte("x\n")}}),
			"journal other/pivot=00 belongs to no collection"},
		{"partial line", m.Append(ctx, []journal.Append{{Journal: j1, Content: []byte("x")}}), "must be whole JSON lines"},
		{"blocking read", func() error { _, err := m.Read(ctx, journal.ReadRequest{Journal: j1, Block: true}); return err }(),
			"only non-blocking reads"},
		{"missing journal", func() error { _, err := m.Read(ctx, journal.ReadRequest{Journal: "acme/events/pivot=00"}); return err }(),
			"does not exist"},
	}
	for _, tc := range errs {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, tc.err, tc.want)
		}
	}
	// A failed append leaves the journals as they were.
	if got := readAll(t, m, j1, 0); got != "a\nc\nd\n" {
		t.Errorf("after failed appends: %q", got)
	}
	if infos, _ := m.ListJournals(ctx, ""); len(infos) != 2 {
		t.Errorf("after failed appends, journals are %v", infos)
	}
}
