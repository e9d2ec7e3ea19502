package journal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPublisherRecoveryAfterCrash crashes a producer between appending a transaction's documents
// (and checkpointing its ACK intents) and appending its ACKs, then recovers as the Publisher doc says
// a runtime must, or wrongly, and checks what read-committed readers see.
func TestPublisherRecoveryAfterCrash(t *testing.T) {
	const eu, us = "acme/events/region=EU/pivot=00", "acme/events/region=US/pivot=00"
	crashed := ProducerID{1, 1, 1, 1, 1, 1}
	for _, tc := range []struct {
		name    string
		recover func(t *testing.T, l *Local, intents []Append, clock Clock) *Publisher
		// Committed document ids per journal, in order, after recovery and one more transaction
		// (id 4 in EU, id 5 in US).
		wantEU, wantUS []int
	}{
		{
			name: "re-append ACK intents, resume the producer",
			recover: func(t *testing.T, l *Local, intents []Append, clock Clock) *Publisher {
				mustAppend(t, l, intents)
				return NewPublisher(l, crashed, clock, nil)
			},
			wantEU: []int{1, 2, 4}, wantUS: []int{3, 5},
		},
		{
			name: "ACK intents re-appended twice (a second crash during recovery)",
			recover: func(t *testing.T, l *Local, intents []Append, clock Clock) *Publisher {
				mustAppend(t, l, intents)
				mustAppend(t, l, intents)
				return NewPublisher(l, crashed, clock, nil)
			},
			wantEU: []int{1, 2, 4}, wantUS: []int{3, 5},
		},
		{
			name: "new producer: the orphans are never committed",
			recover: func(t *testing.T, l *Local, _ []Append, _ Clock) *Publisher {
				return NewPublisher(l, ProducerID{2, 2, 2, 2, 2, 2}, 0, nil)
			},
			wantEU: []int{1, 4}, wantUS: []int{5},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
			l := openTestLocal(t, dir, clock, FragmentTemplate{})
			pub := NewPublisher(l, crashed, 0, nil)
			if err := pub.Publish(context.Background(), []Document{event(eu, 1)}); err != nil {
				t.Fatal(err)
			}
			staged, err := pub.Stage([]Document{event(eu, 2), event(us, 3)})
			if err != nil {
				t.Fatal(err)
			}
			mustAppend(t, l, staged)
			intents, checkpointed := pub.AckIntents(), pub.Clock() // What the checkpoint holds.
			if err := l.Close(); err != nil {                      // The crash: no ACKs appended.
				t.Fatal(err)
			}
			if got := committedIDs(t, dir, eu); !slices.Equal(got, []int{1}) {
				t.Fatalf("before recovery EU committed %v, want [1]", got)
			}

			l = openTestLocal(t, dir, clock, FragmentTemplate{})
			defer l.Close()
			next := tc.recover(t, l, intents, checkpointed)
			if err := next.Publish(context.Background(), []Document{event(eu, 4), event(us, 5)}); err != nil {
				t.Fatal(err)
			}
			if got := committedIDs(t, dir, eu); !slices.Equal(got, tc.wantEU) {
				t.Errorf("EU committed %v, want %v", got, tc.wantEU)
			}
			if got := committedIDs(t, dir, us); !slices.Equal(got, tc.wantUS) {
				t.Errorf("US committed %v, want %v", got, tc.wantUS)
			}
		})
	}
}

// TestPublisherOrphansWithoutACKIntents shows the atomicity break the Publisher doc warns of: after
// a crash, a resumed producer whose next transaction touches only some journals commits the
// interrupted transaction's documents in those journals and leaves the rest uncommitted.
func TestPublisherOrphansWithoutACKIntents(t *testing.T) {
	const eu, us = "acme/events/region=EU/pivot=00", "acme/events/region=US/pivot=00"
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := openTestLocal(t, dir, clock, FragmentTemplate{})
	defer l.Close()
	producer := ProducerID{1, 1, 1, 1, 1, 1}
	pub := NewPublisher(l, producer, 0, nil)
	staged, err := pub.Stage([]Document{event(eu, 2), event(us, 3)})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, staged)
	pub.AckIntents() // Checkpointed, then lost: never appended.
	resumed := NewPublisher(l, producer, pub.Clock(), nil)
	if err := resumed.Publish(context.Background(), []Document{event(eu, 4)}); err != nil {
		t.Fatal(err)
	}
	if got := committedIDs(t, dir, eu); !slices.Equal(got, []int{2, 4}) {
		t.Errorf("EU committed %v, want the orphan 2 with 4", got)
	}
	if got := committedIDs(t, dir, us); len(got) != 0 {
		t.Errorf("US committed %v, want its orphan left uncommitted", got)
	}
}

func event(journal string, id int) Document {
	return Document{Journal: journal, Doc: map[string]any{"id": id}}
}

func mustAppend(t *testing.T, l *Local, appends []Append) {
	t.Helper()
	if err := l.Append(context.Background(), appends); err != nil {
		t.Fatal(err)
	}
}

// committedIDs reads a journal read-committed from a separate read-only Local and returns the ids
// of its data documents in order.
func committedIDs(t *testing.T, dir, journal string) []int {
	t.Helper()
	r, err := OpenLocal(LocalOptions{DataDir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := ReadCommitted(context.Background(), r, journal, Checkpoint{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	var ids []int
	for {
		doc, err := cr.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return ids
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.IsAck() {
			continue
		}
		var v struct{ ID int }
		if err := json.Unmarshal(doc.Raw, &v); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
}

// TestPublisherStampsJSONDocuments: a document in the JSON form gets its UUID at UUIDAt, exactly as
// the map form would set /_meta/uuid, and the caller's bytes are left as they were. A UUIDAt that
// does not point at the placeholder is refused before anything is stamped.
func TestPublisherStampsJSONDocuments(t *testing.T) {
	at := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	producer := ProducerID{1, 2, 3, 4, 5, 6}
	const j = "acme/events/pivot=00"
	line := `{"_meta":{"uuid":"` + UUIDPlaceholder + `"},"id":1,"s":"` + UUIDPlaceholder + `"}`
	uuidAt := len(`{"_meta":{"uuid":"`)
	input := []byte(line)

	mapForm, err := NewPublisher(nil, producer, 0, at).Stage([]Document{
		{Journal: j, Doc: map[string]any{"id": 1, "s": UUIDPlaceholder}},
		{Journal: j, Doc: map[string]any{"id": 1, "s": UUIDPlaceholder}},
	})
	if err != nil {
		t.Fatal(err)
	}
	jsonForm, err := NewPublisher(nil, producer, 0, at).Stage([]Document{
		{Journal: j, JSON: input, UUIDAt: uuidAt},
		{Journal: j, JSON: input, UUIDAt: uuidAt},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(jsonForm) != 1 || string(jsonForm[0].Content) != string(mapForm[0].Content) {
		t.Errorf("JSON form staged\n%s\nmap form\n%s", jsonForm[0].Content, mapForm[0].Content)
	}
	if string(input) != line {
		t.Errorf("Stage changed the caller's bytes to %s", input)
	}

	for _, bad := range []int{-1, 0, uuidAt + 1, len(line) - 10, len(line)} {
		pub := NewPublisher(nil, producer, 0, at)
		_, err := pub.Stage([]Document{{Journal: j, JSON: input, UUIDAt: bad}})
		if err == nil || !strings.Contains(err.Error(), "no UUID placeholder at byte") {
			t.Errorf("UUIDAt %d: error %v, want the misplaced placeholder named", bad, err)
		}
		if pub.Clock() != 0 {
			t.Errorf("UUIDAt %d: the clock ticked for a refused document", bad)
		}
	}
}
