package journal

import "sort"

// Sequencer turns one journal's documents, read uncommitted, into its committed documents, with the
// rules of Gazette's message.Sequencer:
//   - a document with a clock at or below its producer's last ACK is a duplicate and is dropped;
//   - OUTSIDE_TXN documents commit at once (discarding any open transaction of the producer);
//   - CONTINUE_TXN documents wait for an ACK_TXN, and one whose clock is not above the transaction's
//     largest is dropped;
//   - an ACK_TXN commits the waiting documents with clocks at or below its own and drops the rest;
//     an ACK at or below the last one rolls the open transaction back instead.
//
// Waiting documents are held in a ring bounded by SequencerLimits. When an ACK commits a transaction
// whose first documents the ring no longer holds, the caller re-reads them: while ReplayRange
// reports a range, it feeds the documents read from its begin to Replay, in order.
//
// Committed documents are taken one at a time with Next, so that Checkpoint is exact between any two.
type Sequencer struct {
	producers map[ProducerID]*producerSeq
	offset    int64
	ring      docRing
	out       emission
}

type producerSeq struct {
	id       ProducerID
	lastAck  Clock
	maxClock Clock
	// begin is the offset of the open transaction's first document not yet taken, or -1.
	begin int64
	// ringStart and ringStop are the first and last ring slots of the transaction's held documents
	// (-1 if none): always its newest documents, since the ring evicts the oldest.
	ringStart, ringStop int
}

// NewSequencer starts a Sequencer from a checkpoint (the zero Checkpoint for a new reader). Zero
// limits take the defaults.
func NewSequencer(cp Checkpoint, limits SequencerLimits) *Sequencer {
	s := &Sequencer{producers: map[ProducerID]*producerSeq{}, offset: cp.Offset, ring: newDocRing(limits.withDefaults())}
	for _, p := range cp.Producers {
		s.producers[p.ID] = &producerSeq{id: p.ID, lastAck: p.LastAck, maxClock: p.LastAck, begin: p.Begin,
			ringStart: -1, ringStop: -1}
	}
	return s
}

// txnKind classifies a document's flags: the ACK bit wins, then the CONTINUE bit; anything else
// commits itself.
func txnKind(f Flags) Flags {
	switch {
	case f&FlagAck != 0:
		return FlagAck
	case f&FlagContinue != 0:
		return FlagContinue
	}
	return FlagOutside
}

// Add sequences the next document read. Take what it committed with Next (and replay what
// ReplayRange asks for) before adding another.
func (s *Sequencer) Add(doc ReadDoc) {
	if s.out.active {
		panic("journal: Sequencer.Add called with committed documents not yet taken")
	}
	clock := doc.UUID.Clock()
	if clock == 0 {
		// Gazette treats a zero clock as committed and untracked.
		s.out = emission{active: true, commit: doc, next: doc, nextKnown: true, nextIsCommit: true}
		return
	}
	id := doc.UUID.Producer()
	p := s.producers[id]
	if p == nil {
		p = &producerSeq{id: id, lastAck: clock - 1, maxClock: clock - 1, begin: -1, ringStart: -1, ringStop: -1}
		s.producers[id] = p
	}
	switch txnKind(doc.UUID.Flags()) {
	case FlagAck:
		if clock <= p.lastAck {
			// Rolls back the open transaction and re-establishes clock as the last acknowledged one.
			s.ring.discard(p)
			p.lastAck, p.maxClock, p.begin = clock, clock, -1
			s.offset = doc.End
			return
		}
	case FlagContinue:
		if clock > p.lastAck && clock > p.maxClock {
			if p.begin == -1 {
				p.begin = doc.Begin
			}
			s.ring.push(p, doc)
			p.maxClock = clock
		}
		s.offset = doc.End
		return
	default:
		if clock <= p.lastAck {
			s.offset = doc.End
			return
		}
		s.ring.discard(p)
		p.begin = -1
	}
	s.startEmission(p, doc)
}

// rebuffer re-reads a document before the checkpointed offset, when resuming: only CONTINUE
// documents of an open transaction that the checkpoint has not yet committed are held again.
func (s *Sequencer) rebuffer(doc ReadDoc) {
	p := s.producers[doc.UUID.Producer()]
	clock := doc.UUID.Clock()
	if p == nil || p.begin < 0 || doc.Begin < p.begin || txnKind(doc.UUID.Flags()) != FlagContinue ||
		clock <= p.lastAck || clock <= p.maxClock {
		return
	}
	s.ring.push(p, doc)
	p.maxClock = clock
}

// Checkpoint returns the state after the documents taken so far.
func (s *Sequencer) Checkpoint() Checkpoint {
	cp := Checkpoint{Offset: s.offset}
	if s.out.active {
		// The committing document is not yet taken: resume by reading it again.
		cp.Offset = s.out.commit.Begin
	}
	for _, p := range s.producers {
		cp.Producers = append(cp.Producers, ProducerCheckpoint{ID: p.id, LastAck: p.lastAck, Begin: p.begin})
	}
	sort.Slice(cp.Producers, func(a, b int) bool {
		return string(cp.Producers[a].ID[:]) < string(cp.Producers[b].ID[:])
	})
	return cp
}

// Held is how many documents of open transactions the Sequencer holds in memory.
func (s *Sequencer) Held() int { return s.ring.held }
