package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/journal"
)

// testClock is a synthetic clock that tests advance by hand.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func openTestLocal(t *testing.T) *journal.Local {
	t.Helper()
	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: t.TempDir(), PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for _, c := range []journal.CollectionSpec{
		{Name: "acme/events", PartitionFields: []string{"region"}},
		{Name: "acme/other"},
	} {
		if err := l.AddCollection(c); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// publishAt publishes one committed transaction of docs {"id":id} at time at.
func publishAt(t *testing.T, l *journal.Local, pub *journal.Publisher, collection string, values []journal.PartitionValue, ids ...string) {
	t.Helper()
	name, err := l.JournalFor(collection, values)
	if err != nil {
		t.Fatal(err)
	}
	var docs []journal.Document
	for _, id := range ids {
		docs = append(docs, journal.Document{Journal: name, Doc: map[string]any{"id": id}})
	}
	if err := pub.Publish(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

func region(r string) []journal.PartitionValue {
	return []journal.PartitionValue{{Field: "region", Value: r}}
}

// drain polls every ready document's id, with its source index.
func drain(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for {
		d, ok, err := r.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		var v struct{ ID string }
		if err := json.Unmarshal(d.Raw, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%s", d.Source, v.ID))
	}
}

func newProducer(t *testing.T, l *journal.Local, clock *testClock) *journal.Publisher {
	t.Helper()
	id, err := journal.NewProducerID()
	if err != nil {
		t.Fatal(err)
	}
	return journal.NewPublisher(l, id, 0, clock.now)
}

func TestReaderOrdering(t *testing.T) {
	type step struct {
		advance time.Duration
		want    []string
		// next is when NextReady says the earliest held-back document is ready, after epoch, to
		// the millisecond (publish clocks tick past the synthetic time) (0: nothing is held back).
		next time.Duration
	}
	cases := []struct {
		name    string
		sources []Source
		steps   []step
	}{
		{
			name:    "publish clock order across journals",
			sources: []Source{{Collection: "acme/events", ReadSuffix: "a"}},
			steps:   []step{{0, []string{"0:eu1", "0:us1", "0:eu2", "0:us2"}, 0}},
		},
		{
			name: "higher priority first, then clock order",
			sources: []Source{
				{Collection: "acme/events", ReadSuffix: "a"},
				{Collection: "acme/other", ReadSuffix: "b", Priority: 2},
			},
			steps: []step{{0, []string{"1:o1", "0:eu1", "0:us1", "0:eu2", "0:us2"}, 0}},
		},
		{
			name:    "partition selector",
			sources: []Source{{Collection: "acme/events", ReadSuffix: "a", Partitions: &journal.Selector{Include: map[string][]any{"region": {"us"}}}}},
			steps:   []step{{0, []string{"0:us1", "0:us2"}, 0}},
		},
		{
			name: "read delay holds documents until publish time plus delay",
			sources: []Source{
				{Collection: "acme/events", ReadSuffix: "a", ReadDelay: 10 * time.Second},
				{Collection: "acme/other", ReadSuffix: "b"},
			},
			steps: []step{
				{0, []string{"1:o1"}, 10 * time.Second},
				// Reading starts at +4s; documents were published at +0s, +1s, +2s and +3s.
				{7500 * time.Millisecond, []string{"0:eu1", "0:us1"}, 12 * time.Second},
				{time.Second, []string{"0:eu2"}, 13 * time.Second},
				{time.Second, []string{"0:us2"}, 0},
			},
		},
		{
			name:    "notBefore and notAfter bound publish times",
			sources: []Source{{Collection: "acme/events", ReadSuffix: "a", NotBefore: epoch.Add(time.Second), NotAfter: epoch.Add(3 * time.Second)}},
			steps:   []step{{0, []string{"0:us1", "0:eu2"}, 0}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := openTestLocal(t)
			clock := &testClock{t: epoch}
			pub := newProducer(t, l, clock)
			// eu1 at +0s, us1 at +1s, eu2 at +2s, us2 at +3s; o1 at +4s.
			for i, d := range []struct{ region, id string }{{"eu", "eu1"}, {"us", "us1"}, {"eu", "eu2"}, {"us", "us2"}} {
				clock.t = epoch.Add(time.Duration(i) * time.Second)
				publishAt(t, l, pub, "acme/events", region(d.region), d.id)
			}
			clock.t = epoch.Add(4 * time.Second)
			publishAt(t, l, pub, "acme/other", nil, "o1")

			r, err := NewReader(context.Background(), ReaderOptions{Client: l, Sources: tc.sources, Now: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for i, s := range tc.steps {
				clock.t = clock.t.Add(s.advance)
				if got := drain(t, r); !reflect.DeepEqual(got, s.want) {
					t.Errorf("step %d: got %v, want %v", i, got, s.want)
				}
				next, held := r.NextReady()
				if held != (s.next != 0) || (held && next.Sub(epoch).Round(time.Millisecond) != s.next) {
					t.Errorf("step %d: NextReady = %v, %v; want %v after epoch", i, next, held, s.next)
				}
			}
			if !r.CaughtUp() {
				t.Error("reader is not caught up after every document was read")
			}
		})
	}
}

func TestReaderUncommittedAndResume(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	clock := &testClock{t: epoch}
	pub := newProducer(t, l, clock)
	publishAt(t, l, pub, "acme/events", region("eu"), "a", "b")
	eu, _ := l.JournalFor("acme/events", region("eu"))

	// A second producer's transaction is appended but not yet acknowledged.
	other := newProducer(t, l, clock)
	staged, err := other.Stage([]journal.Document{{Journal: eu, Doc: map[string]any{"id": "pending"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, staged); err != nil {
		t.Fatal(err)
	}
	publishAt(t, l, pub, "acme/events", region("eu"), "c")

	sources := []Source{{Collection: "acme/events", ReadSuffix: "a"}}
	r, err := NewReader(ctx, ReaderOptions{Client: l, Sources: sources, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:a", "0:b", "0:c"}) {
		t.Fatalf("before the ACK: got %v", got)
	}
	cp := r.Checkpoint()
	r.Close()

	// The pending transaction commits; a reader resumed from the checkpoint sees only it, then a
	// new journal that appears while it waits.
	if err := l.Append(ctx, other.AckIntents()); err != nil {
		t.Fatal(err)
	}
	r, err = NewReader(ctx, ReaderOptions{Client: l, Sources: sources, Checkpoint: cp, Now: clock.now, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:pending"}) {
		t.Fatalf("after the ACK: got %v", got)
	}
	publishAt(t, l, pub, "acme/events", region("us"), "d")
	if err := r.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:d"}) {
		t.Fatalf("new journal: got %v", got)
	}
}

func TestReaderCheckpointExcludesReadAhead(t *testing.T) {
	ctx := context.Background()
	l := openTestLocal(t)
	clock := &testClock{t: epoch}
	pub := newProducer(t, l, clock)
	for i, region := range []string{"eu", "us", "eu"} {
		clock.t = epoch.Add(time.Duration(i) * time.Second)
		publishAt(t, l, pub, "acme/events", []journal.PartitionValue{{Field: "region", Value: region}}, fmt.Sprint(i))
	}
	sources := []Source{{Collection: "acme/events", ReadSuffix: "a"}}
	// Each reader takes one document (reading ahead in the other journal) and checkpoints.
	var got []string
	var cp map[string]connector.SourceCheckpoint
	for range 5 {
		r, err := NewReader(ctx, ReaderOptions{Client: l, Sources: sources, Checkpoint: cp, Now: clock.now})
		if err != nil {
			t.Fatal(err)
		}
		d, ok, err := r.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			var v struct{ ID string }
			json.Unmarshal(d.Raw, &v)
			got = append(got, v.ID)
		}
		cp = r.Checkpoint()
		r.Close()
	}
	if want := []string{"0", "1", "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("one document per reader: got %v, want %v", got, want)
	}
}

// TestReaderLooksAgainOnlyAfterAWake: a journal read to its end is not read again until its Wake
// closes (appends through the runtime's client announce themselves), or, for appends nothing
// announces, until the poll interval has passed.
func TestReaderLooksAgainOnlyAfterAWake(t *testing.T) {
	for _, tc := range []struct {
		name   string
		poll   time.Duration
		notify bool
		// wantBefore is what Poll finds right after the unannounced append; wantAfter after the
		// Notify or the poll interval.
		wantBefore, wantAfter []string
	}{
		{"an append the wake announces", time.Hour, true, nil, []string{"0:eu2"}},
		{"an unannounced append, seen after the poll interval", 50 * time.Millisecond, false, nil, []string{"0:eu2"}},
		{"an unannounced append, within the poll interval", time.Hour, false, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openTestLocal(t)
			clock := &testClock{t: epoch}
			pub := newProducer(t, l, clock)
			publishAt(t, l, pub, "acme/events", region("EU"), "eu1")
			n := NewNotifier()
			r, err := NewReader(context.Background(), ReaderOptions{Client: l, Now: clock.now, Wake: n.C, Poll: tc.poll,
				Sources: []Source{{Collection: "acme/events", ReadSuffix: "a"}}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:eu1"}) {
				t.Fatalf("first read %v", got)
			}
			publishAt(t, l, pub, "acme/events", region("EU"), "eu2") // straight to the journal: no Notify
			if got := drain(t, r); !reflect.DeepEqual(got, tc.wantBefore) {
				t.Errorf("before a wake: %v, want %v", got, tc.wantBefore)
			}
			if !r.CaughtUp() {
				t.Error("the reader does not say it is caught up while it skips the journal")
			}
			if tc.notify {
				n.Notify()
			} else if tc.poll < time.Second {
				time.Sleep(tc.poll)
			}
			if got := drain(t, r); !reflect.DeepEqual(got, tc.wantAfter) {
				t.Errorf("after: %v, want %v", got, tc.wantAfter)
			}
		})
	}
}

// TestReaderWaitSeesAWakeSinceItsPoll: an append announced after a Poll found nothing, but before
// Wait, ends the Wait at once: the Wake taken before Poll looked has closed. (Taken in Wait, the
// channel is the one after that Notify, and Wait would sleep the poll interval.)
func TestReaderWaitSeesAWakeSinceItsPoll(t *testing.T) {
	l := openTestLocal(t)
	clock := &testClock{t: epoch}
	pub := newProducer(t, l, clock)
	publishAt(t, l, pub, "acme/events", region("EU"), "eu1")
	n := NewNotifier()
	r, err := NewReader(context.Background(), ReaderOptions{Client: l, Now: clock.now, Wake: n.C, Poll: time.Hour,
		Sources: []Source{{Collection: "acme/events", ReadSuffix: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:eu1"}) {
		t.Fatalf("first read %v", got)
	}
	publishAt(t, l, pub, "acme/events", region("EU"), "eu2")
	n.Notify()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Wait(ctx); err != nil {
		t.Fatalf("Wait missed the Notify since the last Poll: %v", err)
	}
	if got := drain(t, r); !reflect.DeepEqual(got, []string{"0:eu2"}) {
		t.Errorf("after the wake: %v", got)
	}
}
