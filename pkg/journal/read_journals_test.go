package journal

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// eventsLocal is a data directory of acme/events partitioned by region, with a publisher.
func eventsLocal(t *testing.T) (*Local, *Publisher) {
	t.Helper()
	l, err := OpenLocal(LocalOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.AddCollection(CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	producer, err := NewProducerID()
	if err != nil {
		t.Fatal(err)
	}
	return l, NewPublisher(l, producer, 0, nil)
}

// eventDoc is a document of acme/events in its region's journal.
func eventDoc(t *testing.T, l *Local, region string, id int) Document {
	t.Helper()
	name, err := l.JournalFor("acme/events", []PartitionValue{{Field: "region", Value: region}})
	if err != nil {
		t.Fatal(err)
	}
	return Document{Journal: name, Doc: map[string]any{"id": id, "region": region}}
}

// collectIDs is an emit that records the ids of data documents and counts ACKs; it is safe only
// because ReadJournals never calls emit concurrently (the race detector checks that).
type collectIDs struct {
	ids  []int
	acks int
}

func (c *collectIDs) emit(doc ReadDoc) error {
	if doc.IsAck() {
		c.acks++
		return nil
	}
	var d struct{ ID int }
	if err := json.Unmarshal(doc.Raw, &d); err != nil {
		return err
	}
	c.ids = append(c.ids, d.ID)
	return nil
}

func TestReadJournalsCommittedOrAsWritten(t *testing.T) {
	ctx := context.Background()
	l, pub := eventsLocal(t)
	if err := pub.Publish(ctx, []Document{eventDoc(t, l, "EU", 1), eventDoc(t, l, "APAC", 2), eventDoc(t, l, "EU", 3)}); err != nil {
		t.Fatal(err)
	}
	// A transaction that is written but never committed.
	pending, err := pub.Stage([]Document{eventDoc(t, l, "EU", 4)})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, pending); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		selector    Selector
		uncommitted bool
		want        []int
		acks        int
	}{
		{"committed, every partition", Selector{}, false, []int{2, 1, 3}, 2},
		{"committed, one partition", Selector{Include: map[string][]any{"region": {"EU"}}}, false, []int{1, 3}, 1},
		{"as written", Selector{Include: map[string][]any{"region": {"EU"}}}, true, []int{1, 3, 4}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			journals, err := SelectJournals(ctx, l, "acme/events", tc.selector)
			if err != nil {
				t.Fatal(err)
			}
			var got collectIDs
			if err := ReadJournals(ctx, l, journals, ReadJournalsOptions{Uncommitted: tc.uncommitted}, got.emit); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.ids, tc.want) || got.acks != tc.acks {
				t.Errorf("read ids %v and %d ACKs, want %v and %d", got.ids, got.acks, tc.want, tc.acks)
			}
		})
	}
}

func TestReadJournalsEmitErrorStops(t *testing.T) {
	ctx := context.Background()
	l, pub := eventsLocal(t)
	if err := pub.Publish(ctx, []Document{eventDoc(t, l, "EU", 1), eventDoc(t, l, "APAC", 2)}); err != nil {
		t.Fatal(err)
	}
	journals, err := SelectJournals(ctx, l, "acme/events", Selector{})
	if err != nil {
		t.Fatal(err)
	}
	full := errors.New("disk full")
	for _, follow := range []bool{false, true} {
		calls := 0
		err := ReadJournals(ctx, l, journals, ReadJournalsOptions{Follow: follow}, func(ReadDoc) error {
			calls++
			return full
		})
		if !errors.Is(err, full) || (!follow && calls != 1) {
			t.Errorf("follow=%v: ReadJournals = %v after %d documents, want %v after the first", follow, err, calls, full)
		}
	}
}

func TestReadJournalsFollowPicksUpNewJournals(t *testing.T) {
	l, pub := eventsLocal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := pub.Publish(ctx, []Document{eventDoc(t, l, "EU", 1)}); err != nil {
		t.Fatal(err)
	}
	list := func(ctx context.Context) ([]string, error) { return SelectJournals(ctx, l, "acme/events", Selector{}) }
	journals, err := list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got collectIDs
	emit := func(doc ReadDoc) error {
		mu.Lock() // The test reads got while following.
		defer mu.Unlock()
		return got.emit(doc)
	}
	done := make(chan error, 1)
	go func() {
		done <- ReadJournals(ctx, l, journals, ReadJournalsOptions{Follow: true, List: list, PollInterval: 5 * time.Millisecond}, emit)
	}()
	// APAC's journal is created while following.
	if err := pub.Publish(ctx, []Document{eventDoc(t, l, "APAC", 2), eventDoc(t, l, "EU", 3)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		ids := slices.Sorted(slices.Values(got.ids))
		mu.Unlock()
		if slices.Equal(ids, []int{1, 2, 3}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("followed %v, want 1, 2 and 3 once each", ids)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("following ended with %v, want nil when ctx ends", err)
	}
}

func TestFollowJournalsStopsAtFirstError(t *testing.T) {
	broken := errors.New("fragment is corrupt")
	for _, tc := range []struct {
		name    string
		readErr error
		listErr error
	}{
		{"reader error", broken, nil},
		{"listing error", nil, broken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := func(ctx context.Context, name string) error {
				if tc.readErr != nil && name == "b" {
					return tc.readErr
				}
				<-ctx.Done()
				return ctx.Err()
			}
			list := func(context.Context) ([]string, error) { return []string{"a", "b"}, tc.listErr }
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := FollowJournals(ctx, []string{"a"}, list, 5*time.Millisecond, read); !errors.Is(err, broken) {
				t.Fatalf("FollowJournals = %v, want %v", err, broken)
			}
			if ctx.Err() != nil {
				t.Fatal("FollowJournals did not stop at the error")
			}
		})
	}
}
