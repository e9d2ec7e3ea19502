package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// seqDoc builds a document line of producer p with clock c and flags, named by label.
type seqStep struct {
	producer byte
	clock    Clock
	flags    Flags
	label    string
}

func stepsContent(t *testing.T, steps []seqStep) []byte {
	t.Helper()
	var b strings.Builder
	for _, s := range steps {
		u, err := BuildUUID(ProducerID{s.producer | 1, 0, 0, 0, 0, s.producer}, s.clock, s.flags)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, `{"_meta":{"uuid":"%s"},"l":"%s"}`+"\n", u, s.label)
	}
	return []byte(b.String())
}

func committedLabels(t *testing.T, c Client, journal string, cp Checkpoint) []string {
	t.Helper()
	r, err := ReadCommitted(context.Background(), c, journal, cp, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for {
		doc, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, labelOf(doc))
	}
}

func labelOf(doc ReadDoc) string {
	s := string(doc.Raw)
	i := strings.Index(s, `"l":"`)
	return s[i+5 : len(s)-2]
}

// The cases follow Gazette's sequencer: producers 2 and 4 interleave; clocks in units.
func TestSequencerCases(t *testing.T) {
	const A, B = 2, 4
	for _, tc := range []struct {
		name  string
		steps []seqStep
		want  []string
	}{
		{"outside commits at once", []seqStep{{A, 10, FlagOutside, "o1"}, {A, 11, FlagOutside, "o2"}}, []string{"o1", "o2"}},
		{"outside duplicate dropped", []seqStep{{A, 10, FlagOutside, "o1"}, {A, 10, FlagOutside, "dup"}, {A, 9, FlagOutside, "old"}}, []string{"o1"}},
		{"continue waits for ack", []seqStep{{A, 10, FlagContinue, "c1"}, {A, 11, FlagContinue, "c2"}, {A, 12, FlagAck, "ack"}}, []string{"c1", "c2", "ack"}},
		{"no ack, nothing", []seqStep{{A, 10, FlagContinue, "c1"}}, nil},
		{"ack commits only lower clocks", []seqStep{{A, 10, FlagContinue, "c1"}, {A, 12, FlagContinue, "c2"}, {A, 11, FlagAck, "ack"}}, []string{"c1", "ack"}},
		{"rollback by ack at last ack", []seqStep{
			{A, 10, FlagContinue, "c1"}, {A, 11, FlagAck, "ack1"},
			{A, 12, FlagContinue, "rolled"}, {A, 11, FlagAck, "rollback"},
			{A, 13, FlagContinue, "c3"}, {A, 14, FlagAck, "ack3"},
		}, []string{"c1", "ack1", "c3", "ack3"}},
		{"duplicates of a committed txn dropped", []seqStep{
			{A, 10, FlagContinue, "c1"}, {A, 11, FlagAck, "ack1"},
			{A, 10, FlagContinue, "c1-again"}, {A, 11, FlagAck, "ack1-again"},
		}, []string{"c1", "ack1"}},
		{"continue at or below txn max dropped", []seqStep{{A, 10, FlagContinue, "c1"}, {A, 10, FlagContinue, "same"}, {A, 9, FlagContinue, "lower"}, {A, 12, FlagAck, "ack"}}, []string{"c1", "ack"}},
		{"producers interleave without blocking", []seqStep{
			{A, 10, FlagContinue, "a1"}, {B, 5, FlagContinue, "b1"}, {B, 6, FlagAck, "backack"},
			{A, 11, FlagContinue, "a2"}, {A, 12, FlagAck, "aack"},
		}, []string{"b1", "backack", "a1", "a2", "aack"}},
		{"outside discards an open txn", []seqStep{{A, 10, FlagContinue, "c1"}, {A, 11, FlagOutside, "o"}, {A, 12, FlagAck, "ack"}}, []string{"o", "ack"}},
		{"deep rollback lowers last ack", []seqStep{
			{A, 10, FlagContinue, "c1"}, {A, 11, FlagAck, "ack1"},
			{A, 12, FlagContinue, "c2"}, {A, 5, FlagAck, "deep"},
			{A, 7, FlagContinue, "redo"}, {A, 8, FlagAck, "ack2"},
		}, []string{"c1", "ack1", "redo", "ack2"}},
		{"ack of unknown producer commits nothing but itself", []seqStep{{B, 20, FlagAck, "lone"}}, []string{"lone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openTestLocal(t, t.TempDir(), &fakeClock{time.Now()}, FragmentTemplate{})
			defer l.Close()
			if err := l.Append(context.Background(), []Append{{Journal: eu, Content: stepsContent(t, tc.steps)}}); err != nil {
				t.Fatal(err)
			}
			if got := committedLabels(t, l, eu, Checkpoint{}); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("committed %v, want %v", got, tc.want)
			}
			// The reference model agrees, and a ring of one document replays to the same result.
			if got := referenceCommitted(tc.steps); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("reference committed %v, want %v", got, tc.want)
			}
			if got, _ := readCommittedAll(t, memJournal(t, tc.steps), Checkpoint{}, SequencerLimits{Docs: 1}); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ring of one committed %v, want %v", got, tc.want)
			}
		})
	}
}

// Resuming from the checkpoint after any number of documents returns exactly the rest.
func TestCommittedReaderCheckpointResume(t *testing.T) {
	const A, B = 2, 4
	steps := []seqStep{
		{A, 10, FlagContinue, "a1"}, {B, 5, FlagContinue, "b1"}, {A, 11, FlagContinue, "a2"},
		{B, 6, FlagContinue, "b2"}, {A, 12, FlagAck, "aack"}, {A, 13, FlagContinue, "a3"},
		{B, 7, FlagAck, "back"}, {A, 14, FlagOutside, "ao"}, {B, 8, FlagContinue, "b3"},
		{B, 9, FlagContinue, "b4"}, {A, 15, FlagContinue, "a4"}, {A, 16, FlagAck, "aack2"}, {B, 10, FlagAck, "back2"},
	}
	l := openTestLocal(t, t.TempDir(), &fakeClock{time.Now()}, FragmentTemplate{})
	defer l.Close()
	if err := l.Append(context.Background(), []Append{{Journal: eu, Content: stepsContent(t, steps)}}); err != nil {
		t.Fatal(err)
	}
	all := committedLabels(t, l, eu, Checkpoint{})
	for n := 0; n <= len(all); n++ {
		r, err := ReadCommitted(context.Background(), l, eu, Checkpoint{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if _, err := r.Next(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		cp := r.Checkpoint()
		r.Close()
		if got := committedLabels(t, l, eu, cp); !slices.Equal(got, all[n:]) {
			t.Fatalf("after %d docs, checkpoint %+v resumed with %v, want %v", n, cp, got, all[n:])
		}
	}
}

func TestLineReaderErrors(t *testing.T) {
	l := openTestLocal(t, t.TempDir(), &fakeClock{time.Now()}, FragmentTemplate{})
	defer l.Close()
	for _, tc := range []struct{ line, want string }{
		{"not json\n", "not a JSON document"},
		{`{"a":1}` + "\n", "no /_meta/uuid"},
		{`{"_meta":{"uuid":"57fd0000-c7d3-41ef-8001-010203040506"}}` + "\n", "version 4"},
	} {
		journal := "acme/events/region=" + percentEncode(tc.want) + "/pivot=00"
		if err := l.Append(context.Background(), []Append{{Journal: journal, Content: []byte(tc.line)}}); err != nil {
			t.Fatal(err)
		}
		r, err := ReadCommitted(context.Background(), l, journal, Checkpoint{}, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Next(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "offset 0") {
			t.Errorf("%q: %v", tc.line, err)
		}
		r.Close()
	}
}
