package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/journal"
)

// runCollectionsCmd runs flowctl in-process with the given arguments and returns its output and exit code.
func runCollectionsCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := cliutil.Test(strings.NewReader(""), &out, &errOut)
	root := newRootCmd(&Factory{IO: io, Config: viper.New()})
	root.SetArgs(args)
	code := execute(root, io)
	return out.String(), errOut.String(), code
}

// writeCollectionsData writes two partitions of acme/events: committed documents, a transaction
// left open (never committed), and fragments persisted on close.
func writeCollectionsData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddCollection(journal.CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	producer := journal.ProducerID{1, 2, 3, 4, 5, 6}
	pub := journal.NewPublisher(l, producer, 0, nil)
	ctx := context.Background()
	docs := func(region string, ids ...int) []journal.Document {
		name, err := l.JournalFor("acme/events", []journal.PartitionValue{{Field: "region", Value: region}})
		if err != nil {
			t.Fatal(err)
		}
		var out []journal.Document
		for _, id := range ids {
			out = append(out, journal.Document{Journal: name, Doc: map[string]any{"id": id, "region": region}})
		}
		return out
	}
	if err := pub.Publish(ctx, append(docs("EU", 1, 2), docs("US", 3)...)); err != nil {
		t.Fatal(err)
	}
	open, err := pub.Stage(docs("EU", 4)) // Appended but never acknowledged.
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, open); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func docIDs(t *testing.T, out string) []int {
	t.Helper()
	var ids []int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var v struct {
			ID   *int
			Meta struct {
				Ack bool `json:"ack"`
			} `json:"_meta"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if v.ID == nil {
			ids = append(ids, -1) // An ACK document.
			continue
		}
		ids = append(ids, *v.ID)
	}
	return ids
}

func TestCollectionsRead(t *testing.T) {
	dir := writeCollectionsData(t)
	for _, tc := range []struct {
		name string
		args []string
		want []int
	}{
		{"committed only", nil, []int{1, 2, 3}},
		{"selector", []string{"--partitions", `{"include": {"region": ["EU"]}}`}, []int{1, 2}},
		{"exclude", []string{"--partitions", `{"exclude": {"region": ["EU"]}}`}, []int{3}},
		// Uncommitted shows everything as written: documents, ACKs (-1) and the open transaction.
		{"uncommitted", []string{"--uncommitted"}, []int{1, 2, -1, 4, 3, -1}},
		{"since covers all", []string{"--since", "1h"}, []int{1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir}, tc.args...)
			out, errOut, code := runCollectionsCmd(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := docIDs(t, out)
			if len(got) != len(tc.want) {
				t.Fatalf("read %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("read %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestCollectionsReadFollowStopsWithContext(t *testing.T) {
	dir := writeCollectionsData(t)
	var out, errOut bytes.Buffer
	io := cliutil.Test(strings.NewReader(""), &out, &errOut)
	root := newRootCmd(&Factory{IO: io, Config: viper.New()})
	root.SetArgs([]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir, "--follow"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := root.ExecuteContext(ctx); err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	if got := docIDs(t, out.String()); len(got) != 3 {
		t.Fatalf("followed %v", got)
	}
}

func TestCollectionsList(t *testing.T) {
	dir := writeCollectionsData(t)
	out, errOut, code := runCollectionsCmd(t, "collections", "list-journals", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "acme/events/region=EU/pivot=00\tacme/events\t(data directory)\tGZIP\t536870912\t24h0m0s\n" +
		"acme/events/region=US/pivot=00\tacme/events\t(data directory)\tGZIP\t536870912\t24h0m0s\n"
	if out != want {
		t.Fatalf("list-journals:\n%s\nwant\n%s", out, want)
	}

	out, errOut, code = runCollectionsCmd(t, "collections", "list-fragments", "--data-dir", dir, "--collection", "acme/events", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var frags []struct {
		Journal     string
		Begin, End  int64
		Sum         string
		PathPostfix string
	}
	if err := json.Unmarshal([]byte(out), &frags); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(frags) != 2 || frags[0].Journal != "acme/events/region=EU/pivot=00" || frags[0].Begin != 0 || len(frags[0].Sum) != 40 ||
		!strings.HasPrefix(frags[0].PathPostfix, "utc_date=") {
		t.Fatalf("fragments %+v", frags)
	}

	out, _, code = runCollectionsCmd(t, "collections", "list-fragments", "--data-dir", dir, "--journal", "acme/events/region=US/pivot=00", "-o", "yaml")
	if code != 0 || !strings.Contains(out, "journal: acme/events/region=US/pivot=00") {
		t.Fatalf("yaml (exit %d): %s", code, out)
	}
}

func TestCollectionsErrors(t *testing.T) {
	dir := writeCollectionsData(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"collections", "read", "--data-dir", dir}, 2, "required flag"},
		{[]string{"collections", "read", "--collection", "acme/nope", "--data-dir", dir}, 2, "has no journals"},
		{[]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir + "/missing"}, 2, "does not exist"},
		{[]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir, "--partitions", "{"}, 2, "--partitions"},
		{[]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir, "--since", "-5m"}, 2, "--since"},
		{[]string{"collections", "list-journals", "--data-dir", dir, "-o", "xml"}, 2, "--output must be one of"},
		{[]string{"collections", "list-fragments", "--data-dir", dir, "--journal", "x/pivot=00"}, 2, "does not exist"},
	} {
		_, errOut, code := runCollectionsCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
