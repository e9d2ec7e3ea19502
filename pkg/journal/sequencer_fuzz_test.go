package journal

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

// fuzzSteps decodes documents from bytes, three per document: producer (one of three), clock (a
// small range, so that duplicates, rollbacks and reordering are common) and flags (unknown bits
// included).
func fuzzSteps(data []byte) []seqStep {
	var steps []seqStep
	for i := 0; i+2 < len(data) && len(steps) < 200; i += 3 {
		steps = append(steps, seqStep{
			producer: 2 * (1 + data[i]%3),
			clock:    Clock(data[i+1] % 48),
			flags:    Flags(data[i+2] % 5),
			label:    fmt.Sprintf("d%d", len(steps)),
		})
	}
	return steps
}

// FuzzSequencer holds a small ring to the unbounded reference: the same committed documents, the
// same checkpoint after each, and the same again when resuming from one of them.
func FuzzSequencer(f *testing.F) {
	f.Add(uint8(1), uint8(3), []byte{0, 10, 1, 0, 11, 1, 1, 5, 1, 0, 12, 1, 1, 6, 2, 0, 13, 2})
	f.Add(uint8(0), uint8(0), []byte{0, 10, 1, 0, 11, 1, 0, 12, 1, 0, 9, 2, 0, 13, 1, 0, 14, 2})
	f.Fuzz(func(t *testing.T, ring, resumeAt uint8, data []byte) {
		steps := fuzzSteps(data)
		if len(steps) == 0 {
			return
		}
		want := referenceCommitted(steps)
		c := &memClient{journal: eu, content: stepsContent(t, steps), chunk: 1 + int(ring)%50}
		_, wantCps := readCommittedAll(t, c, Checkpoint{}, SequencerLimits{Docs: 1 << 16})
		limits := SequencerLimits{Docs: 1 + int(ring)%4}
		got, cps := readCommittedAll(t, c, Checkpoint{}, limits)
		if !slices.Equal(got, want) {
			t.Fatalf("ring %+v committed %v, want %v", limits, got, want)
		}
		if !reflect.DeepEqual(cps, wantCps) {
			t.Fatalf("ring %+v checkpoints %+v, want %+v", limits, cps, wantCps)
		}
		if len(cps) == 0 {
			return
		}
		// Resuming is compared with the unbounded reader resumed alike, not with the rest of want: an
		// ACK whose clock equals its transaction's last document's rolls back when read again after
		// that document was taken, in Gazette's sequencer as here (publishers tick between them).
		cp := cps[int(resumeAt)%len(cps)]
		wantRest, wantRestCps := readCommittedAll(t, c, cp, SequencerLimits{Docs: 1 << 16})
		if rest, restCps := readCommittedAll(t, c, cp, limits); !slices.Equal(rest, wantRest) || !reflect.DeepEqual(restCps, wantRestCps) {
			t.Fatalf("resumed from %+v with %v, checkpoints %+v\nwant %v, %+v", cp, rest, restCps, wantRest, wantRestCps)
		}
	})
}
