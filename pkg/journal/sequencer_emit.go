package journal

import "fmt"

// emission is a committed sequence being taken: the producer's transaction documents with clocks up
// to the committing document's, then the committing document itself.
type emission struct {
	active bool
	p      *producerSeq // nil for a zero-clock document, which commits only itself.
	commit ReadDoc
	// next is what Next returns next, once known: Checkpoint needs its offset.
	next                    ReadDoc
	nextKnown, nextIsCommit bool
	// The transaction's documents before those the ring still holds are re-read from the journal:
	// [replayAt, replayEnd) is what remains to be read while replaying.
	replaying           bool
	replayAt, replayEnd int64
	// replayMax is the largest clock of the producer's CONTINUE documents re-read so far (from its
	// last ACK), so that the replay drops exactly the documents that Add dropped.
	replayMax Clock
}

// startEmission commits p's open transaction (if any) through commit, which is taken last.
func (s *Sequencer) startEmission(p *producerSeq, commit ReadDoc) {
	s.out = emission{active: true, p: p, commit: commit}
	if p.begin != -1 {
		first, held := s.ring.first(p)
		if !held || first.Begin != p.begin {
			end := commit.Begin
			if held {
				end = first.Begin
			}
			// The range is empty when a resumed checkpoint had taken all but the committing document.
			s.out.replaying, s.out.replayAt, s.out.replayEnd, s.out.replayMax = p.begin < end, p.begin, end, p.lastAck
		}
	}
	s.advance()
}

// advance finds the next document to take from the ring, unless the replay must be fed first.
func (s *Sequencer) advance() {
	e := &s.out
	for !e.nextKnown && !e.replaying {
		if _, held := s.ring.first(e.p); !held {
			e.next, e.nextKnown, e.nextIsCommit = e.commit, true, true
			break
		}
		if doc := s.ring.take(e.p); doc.UUID.Clock() <= e.commit.UUID.Clock() {
			e.next, e.nextKnown = doc, true
		} else {
			s.ring.discard(e.p) // Clocks only grow from here: the ACK commits none of them.
		}
	}
	if e.nextKnown {
		e.p.begin = e.next.Begin
	} else {
		e.p.begin = e.replayAt
	}
}

// ReplayRange returns the journal offsets [begin, end) from which Replay needs documents, if any.
func (s *Sequencer) ReplayRange() (begin, end int64, ok bool) {
	if !s.out.replaying || s.out.nextKnown {
		return 0, 0, false
	}
	return s.out.replayAt, s.out.replayEnd, true
}

// Replay takes the next document read from ReplayRange's begin.
func (s *Sequencer) Replay(doc ReadDoc) error {
	e := &s.out
	if !e.replaying || e.nextKnown {
		panic("journal: Sequencer.Replay called while ReplayRange reports nothing to replay")
	}
	if doc.Begin != e.replayAt || doc.End > e.replayEnd {
		return fmt.Errorf("journal %s: re-reading producer %x's transaction at [%d, %d) returned a document at [%d, %d) instead; "+
			"its content may have been removed (check the journal's fragment retention)",
			doc.Journal, e.p.id[:], e.replayAt, e.replayEnd, doc.Begin, doc.End)
	}
	e.replayAt = doc.End
	e.replaying = e.replayAt < e.replayEnd
	if clock := doc.UUID.Clock(); doc.UUID.Producer() == e.p.id && txnKind(doc.UUID.Flags()) == FlagContinue &&
		clock > e.replayMax {
		e.replayMax = clock
		if clock <= e.commit.UUID.Clock() {
			e.next, e.nextKnown = doc, true
		} else {
			// Clocks only grow from here: the ACK commits none of the rest.
			e.replaying = false
			s.ring.discard(e.p)
		}
	}
	s.advance()
	return nil
}

// Next takes the next committed document, or returns false when none is waiting (or the replay
// must be fed first).
func (s *Sequencer) Next() (ReadDoc, bool) {
	e := &s.out
	if !e.nextKnown {
		return ReadDoc{}, false
	}
	doc := e.next
	e.next, e.nextKnown = ReadDoc{}, false
	if e.p != nil {
		e.p.lastAck = doc.UUID.Clock()
	}
	if !e.nextIsCommit {
		s.advance()
		return doc, true
	}
	if p := e.p; p != nil {
		p.maxClock, p.begin = p.lastAck, -1
	}
	s.offset = doc.End // The committing document is the last one taken.
	s.out = emission{}
	return doc, true
}
