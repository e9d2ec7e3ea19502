package journal

import (
	"encoding/hex"
	"fmt"
	"sort"
)

// Checkpoint is the resumable state of a read-committed reader of one journal, as Gazette checkpoints
// a source: the offset read through, and per producer its last acknowledged clock and the offset of
// its open transaction's first document (-1 if none), which a resumed reader replays from.
type Checkpoint struct {
	Offset    int64                `json:"readThrough"`
	Producers []ProducerCheckpoint `json:"producers,omitempty"`
}

// ProducerCheckpoint is one producer's sequencing state.
type ProducerCheckpoint struct {
	ID      ProducerID `json:"id"`
	LastAck Clock      `json:"lastAck"`
	Begin   int64      `json:"begin"`
}

// MarshalText writes a ProducerID as 12 hex digits.
func (p ProducerID) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(p[:])), nil }

// UnmarshalText reads a ProducerID written by MarshalText.
func (p *ProducerID) UnmarshalText(b []byte) error {
	if n, err := hex.Decode(p[:], b); err != nil || n != len(p) || len(b) != 2*len(p) {
		return fmt.Errorf("producer ID %q is not 12 hex digits", b)
	}
	return nil
}

// Sequencer turns one journal's documents, read uncommitted, into its committed documents, with the
// rules of Gazette's message.Sequencer:
//   - a document with a clock at or below its producer's last ACK is a duplicate and is dropped;
//   - OUTSIDE_TXN documents commit at once (discarding any open transaction of the producer);
//   - CONTINUE_TXN documents wait for an ACK_TXN, and one whose clock is not above the transaction's
//     largest is dropped;
//   - an ACK_TXN commits the waiting documents with clocks at or below its own and drops the rest;
//     an ACK at or below the last one rolls the open transaction back instead.
//
// Committed documents are taken one at a time with Next, so that Checkpoint is exact between any two.
type Sequencer struct {
	producers map[ProducerID]*producerSeq
	offset    int64
	// emit are committed documents still to be taken, in order; the last one committed them.
	emit     []ReadDoc
	emitting *producerSeq
}

type producerSeq struct {
	id       ProducerID
	lastAck  Clock
	maxClock Clock
	begin    int64
	pending  []ReadDoc
}

// NewSequencer starts a Sequencer from a checkpoint (the zero Checkpoint for a new reader).
func NewSequencer(cp Checkpoint) *Sequencer {
	s := &Sequencer{producers: map[ProducerID]*producerSeq{}, offset: cp.Offset}
	for _, p := range cp.Producers {
		s.producers[p.ID] = &producerSeq{id: p.ID, lastAck: p.LastAck, maxClock: p.LastAck, begin: p.Begin}
	}
	return s
}

// Add sequences the next document read. Take what it committed with Next before adding another.
func (s *Sequencer) Add(doc ReadDoc) {
	if len(s.emit) > 0 {
		panic("journal: Sequencer.Add called with committed documents not yet taken")
	}
	clock, flags := doc.UUID.Clock(), doc.UUID.Flags()
	if clock == 0 {
		// Gazette treats a zero clock as committed and untracked.
		s.emit, s.emitting = []ReadDoc{doc}, nil
		return
	}
	id := doc.UUID.Producer()
	p := s.producers[id]
	if p == nil {
		p = &producerSeq{id: id, lastAck: clock - 1, maxClock: clock - 1, begin: -1}
		s.producers[id] = p
	}
	switch {
	case flags&FlagAck != 0:
		if clock <= p.lastAck {
			p.rollback(clock)
			s.offset = doc.End
			return
		}
		for _, d := range p.pending {
			if d.UUID.Clock() <= clock {
				s.emit = append(s.emit, d)
			}
		}
		s.emit = append(s.emit, doc)
	case flags&FlagContinue != 0:
		if clock <= p.lastAck || clock <= p.maxClock {
			s.offset = doc.End
			return
		}
		if p.begin == -1 {
			p.begin = doc.Begin
		}
		p.pending = append(p.pending, doc)
		p.maxClock = clock
		s.offset = doc.End
		return
	default: // OUTSIDE_TXN, and unknown flags as Gazette handles them.
		if clock <= p.lastAck {
			s.offset = doc.End
			return
		}
		s.emit = []ReadDoc{doc}
	}
	p.pending = nil
	s.emitting = p
	p.begin = s.emit[0].Begin
}

// rollback discards the open transaction and re-establishes clock as the last acknowledged one.
func (p *producerSeq) rollback(clock Clock) {
	p.lastAck, p.maxClock, p.begin, p.pending = clock, clock, -1, nil
}

// Next takes the next committed document, or returns false when none is waiting.
func (s *Sequencer) Next() (ReadDoc, bool) {
	if len(s.emit) == 0 {
		return ReadDoc{}, false
	}
	doc := s.emit[0]
	s.emit = s.emit[1:]
	if p := s.emitting; p != nil {
		p.lastAck = doc.UUID.Clock()
		if len(s.emit) > 0 {
			p.begin = s.emit[0].Begin
		} else {
			p.maxClock, p.begin, s.emitting = p.lastAck, -1, nil
		}
	}
	if len(s.emit) == 0 {
		s.offset = doc.End // The committing document is the last one taken.
	}
	return doc, true
}

// replay re-reads a document before the checkpointed offset: only CONTINUE documents of an open
// transaction that the checkpoint has not yet committed are re-buffered.
func (s *Sequencer) replay(doc ReadDoc) {
	p := s.producers[doc.UUID.Producer()]
	clock := doc.UUID.Clock()
	if p == nil || p.begin < 0 || doc.Begin < p.begin || doc.UUID.Flags() != FlagContinue ||
		clock <= p.lastAck || clock <= p.maxClock {
		return
	}
	p.pending = append(p.pending, doc)
	p.maxClock = clock
}

// Checkpoint returns the state after the documents taken so far.
func (s *Sequencer) Checkpoint() Checkpoint {
	cp := Checkpoint{Offset: s.offset}
	if len(s.emit) > 0 {
		// The committing document is not yet taken: resume by reading it again.
		cp.Offset = s.emit[len(s.emit)-1].Begin
	}
	for _, p := range s.producers {
		cp.Producers = append(cp.Producers, ProducerCheckpoint{ID: p.id, LastAck: p.lastAck, Begin: p.begin})
	}
	sort.Slice(cp.Producers, func(a, b int) bool {
		return string(cp.Producers[a].ID[:]) < string(cp.Producers[b].ID[:])
	})
	return cp
}
