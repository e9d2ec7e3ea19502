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
)

// referenceCommitted is the sequencer without a ring, as this package had it before: every waiting
// document held until its ACK. The ring and its replays must commit exactly what it commits.
func referenceCommitted(steps []seqStep) []string {
	type producer struct {
		lastAck, maxClock Clock
		pending           []seqStep
	}
	producers := map[byte]*producer{}
	var out []string
	for _, st := range steps {
		if st.clock == 0 {
			out = append(out, st.label)
			continue
		}
		p := producers[st.producer]
		if p == nil {
			p = &producer{lastAck: st.clock - 1, maxClock: st.clock - 1}
			producers[st.producer] = p
		}
		switch txnKind(st.flags) {
		case FlagContinue:
			if st.clock > p.lastAck && st.clock > p.maxClock {
				p.pending = append(p.pending, st)
				p.maxClock = st.clock
			}
			continue
		case FlagAck:
			for _, d := range p.pending {
				if st.clock > p.lastAck && d.clock <= st.clock {
					out = append(out, d.label)
				}
			}
			if st.clock > p.lastAck {
				out = append(out, st.label)
			}
		default:
			if st.clock <= p.lastAck {
				continue
			}
			out = append(out, st.label)
		}
		p.lastAck, p.maxClock, p.pending = st.clock, st.clock, nil
	}
	return out
}

func memJournal(t *testing.T, steps []seqStep) *memClient {
	return &memClient{journal: eu, content: stepsContent(t, steps), chunk: 37}
}

// readCommittedAll reads every committed document with limits, checking the reader never holds more
// documents than the limit, and returns their labels and the checkpoint after each.
func readCommittedAll(t *testing.T, c Client, cp Checkpoint, limits SequencerLimits) ([]string, []Checkpoint) {
	t.Helper()
	r, err := ReadCommittedLimits(context.Background(), c, eu, cp, false, limits)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var labels []string
	var cps []Checkpoint
	for {
		doc, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return labels, cps
		} else if err != nil {
			t.Fatal(err)
		}
		if limits.Docs > 0 && r.Held() > limits.Docs {
			t.Fatalf("holds %d documents, over the limit of %d", r.Held(), limits.Docs)
		}
		labels = append(labels, labelOf(doc))
		cps = append(cps, r.Checkpoint())
	}
}

// bigTxn is n CONTINUE documents of producer 2 from clock 100, interleaved with producer 4's
// committed documents every fifth one.
func bigTxn(n int) []seqStep {
	var steps []seqStep
	for i := range n {
		steps = append(steps, seqStep{2, Clock(100 + i), FlagContinue, fmt.Sprintf("a%d", i)})
		if i%5 == 0 {
			steps = append(steps, seqStep{4, Clock(10 + i), FlagOutside, fmt.Sprintf("b%d", i)})
		}
	}
	return steps
}

func TestSequencerRingReplay(t *testing.T) {
	const A, B = 2, 4
	for _, tc := range []struct {
		name  string
		steps []seqStep
		// replays is how many extra reads the smallest ring needs.
		replays int
	}{
		{"txn larger than the ring commits once, in order", append(bigTxn(40), seqStep{A, 500, FlagAck, "ack"}), 1},
		{"rolled-back txn larger than the ring commits nothing", append(bigTxn(40),
			seqStep{A, 99, FlagAck, "rollback"}, seqStep{A, 600, FlagContinue, "after"}, seqStep{A, 601, FlagAck, "ack"}), 0},
		{"ack through the middle drops the rest", append(bigTxn(40), seqStep{A, 120, FlagAck, "ack"}), 1},
		{"ack below every held document replays only the start", append(bigTxn(40), seqStep{A, 103, FlagAck, "ack"}), 1},
		{"duplicates and lower clocks inside the replayed range", []seqStep{
			{A, 10, FlagContinue, "c1"}, {A, 10, FlagContinue, "same"}, {A, 9, FlagContinue, "lower"},
			{A, 8, FlagOutside, "old-outside"}, {B, 3, FlagContinue, "b1"}, {A, 11, FlagContinue, "c2"},
			{A, 12, FlagContinue, "c3"}, {B, 4, FlagAck, "back"}, {A, 13, FlagContinue, "c4"}, {A, 20, FlagAck, "ack"},
		}, 2},
		{"two producers both past the ring", []seqStep{
			{A, 10, FlagContinue, "a1"}, {B, 10, FlagContinue, "b1"}, {A, 11, FlagContinue, "a2"},
			{B, 11, FlagContinue, "b2"}, {A, 12, FlagContinue, "a3"}, {B, 12, FlagContinue, "b3"},
			{B, 13, FlagAck, "back"}, {A, 13, FlagAck, "aack"},
		}, 2},
		{"outside discards a txn larger than the ring", append(bigTxn(40), seqStep{A, 300, FlagOutside, "o"}), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := referenceCommitted(tc.steps)
			for _, limits := range []SequencerLimits{{Docs: 1}, {Docs: 2}, {Docs: 7}, {Bytes: 1}, {Bytes: 300}, {}} {
				c := memJournal(t, tc.steps)
				got, _ := readCommittedAll(t, c, Checkpoint{}, limits)
				if !slices.Equal(got, want) {
					t.Fatalf("limits %+v: committed %v, want %v", limits, got, want)
				}
				if limits.Docs == 1 && c.reads != 1+tc.replays {
					t.Errorf("limits %+v: %d reads, want %d", limits, c.reads, 1+tc.replays)
				}
				if limits == (SequencerLimits{}) && c.reads != 1 {
					t.Errorf("default limits: %d reads, want no replay", c.reads)
				}
			}
		})
	}
}

// Every checkpoint a small ring produces equals the unbounded one's, and resuming from each, with the
// small ring, returns exactly the rest: also checkpoints taken in the middle of a replay.
func TestSequencerRingCheckpoints(t *testing.T) {
	steps := append(bigTxn(30), seqStep{4, 900, FlagContinue, "b-open"}, seqStep{2, 130, FlagContinue, "a-late"},
		seqStep{2, 140, FlagAck, "ack"}, seqStep{4, 901, FlagContinue, "b-open2"}, seqStep{4, 902, FlagAck, "back"})
	c := memJournal(t, steps)
	all, wantCps := readCommittedAll(t, c, Checkpoint{}, SequencerLimits{Docs: 1 << 20})
	if !slices.Equal(all, referenceCommitted(steps)) {
		t.Fatalf("unbounded reader committed %v, want %v", all, referenceCommitted(steps))
	}
	small := SequencerLimits{Docs: 3}
	got, cps := readCommittedAll(t, c, Checkpoint{}, small)
	if !slices.Equal(got, all) || !reflect.DeepEqual(cps, wantCps) {
		t.Fatalf("ring of 3: committed %v with checkpoints %+v\nwant %v with %+v", got, cps, all, wantCps)
	}
	for n, cp := range cps {
		rest, _ := readCommittedAll(t, c, cp, small)
		if !slices.Equal(rest, all[n+1:]) {
			t.Fatalf("after %d docs, checkpoint %+v resumed with %v, want %v", n+1, cp, rest, all[n+1:])
		}
	}
}

// A transaction of 20,000 documents is read holding no more than the limits allow.
func TestSequencerRingMemoryBound(t *testing.T) {
	steps := append(bigTxn(20000), seqStep{2, 1 << 30, FlagAck, "ack"})
	want := referenceCommitted(steps)
	for _, limits := range []SequencerLimits{{Docs: 64}, {Bytes: 4096}} {
		c := memJournal(t, steps)
		r, err := ReadCommittedLimits(context.Background(), c, eu, Checkpoint{}, false, limits)
		if err != nil {
			t.Fatal(err)
		}
		maxHeld, n := 0, 0
		for ; ; n++ {
			doc, err := r.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			if labelOf(doc) != want[n] {
				t.Fatalf("%+v: document %d is %s, want %s", limits, n, labelOf(doc), want[n])
			}
			maxHeld = max(maxHeld, r.Held())
		}
		r.Close()
		// Documents are about 75 bytes, so 4096 bytes hold fewer than 60.
		if n != len(want) || maxHeld > 64 || maxHeld == 0 {
			t.Fatalf("%+v: read %d of %d documents holding up to %d", limits, n, len(want), maxHeld)
		}
	}
}

func TestSequencerReplayErrors(t *testing.T) {
	steps := append(bigTxn(10), seqStep{2, 500, FlagAck, "ack"})
	for _, tc := range []struct {
		name   string
		lateBy int64
		want   string
	}{
		{"content before the replay range removed", int64(len(stepsContent(t, steps[:1]))), "re-reading producer 030000000002's transaction at [0, "},
		{"journal shorter than the replay range", 1 << 20, "the journal ended at 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := memJournal(t, steps)
			c.lateBy = tc.lateBy
			r, err := ReadCommittedLimits(context.Background(), c, eu, Checkpoint{}, false, SequencerLimits{Docs: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for {
				doc, err := r.Next(context.Background())
				if err != nil {
					if !strings.Contains(err.Error(), tc.want) {
						t.Fatalf("error %q does not say %q", err, tc.want)
					}
					break
				}
				if strings.HasPrefix(labelOf(doc), "a") {
					t.Fatalf("returned %s of a transaction it could not re-read", labelOf(doc))
				}
			}
			// Retrying fails the same way rather than skipping the transaction.
			if _, err := r.Next(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("retry: %v", err)
			}
		})
	}
}
