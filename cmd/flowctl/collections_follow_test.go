package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/viper"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/journal"
)

// syncBuffer is a bytes.Buffer that a running command writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startFollow runs `collections read --follow` in the background until the returned stop is called,
// which returns the command's error.
func startFollow(t *testing.T, dir string, extra ...string) (*syncBuffer, func() error) {
	t.Helper()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	root := newRootCmd(&Factory{IO: cliutil.Test(strings.NewReader(""), out, errOut), Config: viper.New()})
	root.SetArgs(append([]string{"collections", "read", "--collection", "acme/events", "--data-dir", dir, "--follow"}, extra...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	return out, func() error {
		cancel()
		return <-done
	}
}

// waitForIDs waits until out holds every id in want, and fails the test after a few seconds.
func waitForIDs(t *testing.T, out *syncBuffer, want ...int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := docIDs(t, out.String())
		missing := slices.ContainsFunc(want, func(id int) bool { return !slices.Contains(got, id) })
		if !missing {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("followed %v; still waiting for %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCollectionsReadFollowPicksUpNewPartitions(t *testing.T) {
	defer func(old time.Duration) { journalPollInterval = old }(journalPollInterval)
	journalPollInterval = 20 * time.Millisecond

	for _, tc := range []struct {
		name      string
		selector  []string
		initial   []int // Documents of the partitions that exist before following starts.
		want, not []int // Documents of the partitions created while following.
	}{
		{"every partition", nil, []int{1, 2, 3}, []int{10, 20}, nil},
		{"excluded partition stays out", []string{"--partitions", `{"exclude": {"region": ["APAC"]}}`}, []int{1, 2, 3}, []int{20}, []int{10}},
		{"included partition only", []string{"--partitions", `{"include": {"region": ["APAC"]}}`}, nil, []int{10}, []int{1, 2, 3, 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCollectionsData(t)
			out, stop := startFollow(t, dir, tc.selector...)
			if len(tc.initial) > 0 {
				waitForIDs(t, out, tc.initial...)
			}
			// A writer appends to partitions that did not exist when following started.
			l, pub := openEventsWriter(t, dir)
			publishEvent(t, l, pub, "APAC", 10)
			publishEvent(t, l, pub, "SA", 20)
			waitForIDs(t, out, tc.want...)
			time.Sleep(5 * journalPollInterval) // Time enough to pick up a partition wrongly.
			if err := stop(); err != nil {
				t.Fatalf("follow ended with %v", err)
			}
			got := docIDs(t, out.String())
			for _, id := range tc.not {
				if slices.Contains(got, id) {
					t.Errorf("followed %v: document %d is outside the selector", got, id)
				}
			}
			if want := len(tc.initial) + len(tc.want); len(got) != want {
				t.Errorf("followed %v: want %d documents, each once", got, want)
			}
		})
	}
}

func TestCollectionsReadFollowWaitsForFirstJournal(t *testing.T) {
	defer func(old time.Duration) { journalPollInterval = old }(journalPollInterval)
	journalPollInterval = 20 * time.Millisecond
	dir := filepath.Join(t.TempDir(), "data")
	l, pub := openEventsWriter(t, dir)
	out, stop := startFollow(t, dir)
	publishEvent(t, l, pub, "EU", 7)
	waitForIDs(t, out, 7)
	if err := stop(); err != nil {
		t.Fatalf("follow ended with %v", err)
	}
}

// openEventsWriter opens dir for writing acme/events, closed when the test ends.
func openEventsWriter(t *testing.T, dir string) (*journal.Local, *journal.Publisher) {
	t.Helper()
	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.AddCollection(journal.CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	producer, err := journal.NewProducerID()
	if err != nil {
		t.Fatal(err)
	}
	return l, journal.NewPublisher(l, producer, 0, nil)
}

func publishEvent(t *testing.T, l *journal.Local, pub *journal.Publisher, region string, id int) {
	t.Helper()
	name, err := l.JournalFor("acme/events", []journal.PartitionValue{{Field: "region", Value: region}})
	if err != nil {
		t.Fatal(err)
	}
	doc := journal.Document{Journal: name, Doc: map[string]any{"id": id, "region": region}}
	if err := pub.Publish(context.Background(), []journal.Document{doc}); err != nil {
		t.Fatal(err)
	}
}
