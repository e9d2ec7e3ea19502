package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// CommittedReader reads a journal's committed documents in order, as Gazette's ReadCommittedIter:
// documents of a transaction appear once its ACK is read, rolled-back and duplicate documents never.
// ACK documents are returned too (IsAck), as Gazette does; callers that only want data skip them.
// Its memory is bounded by SequencerLimits: a transaction larger than they allow is re-read from the
// journal when it commits.
type CommittedReader struct {
	client  Client
	lines   *LineReader
	seq     *Sequencer
	through int64 // Documents ending at or before this offset were read before the checkpoint.
	// replay re-reads a committed transaction's documents that the sequencer no longer holds;
	// replayNext is the offset of the document it returns next.
	replay     *LineReader
	replayNext int64
	journal    string
	// lookaheadErr is an error met finding the document after the one last returned; the next call
	// of Next returns it.
	lookaheadErr error
}

// ReadCommitted opens a read-committed reader of a journal, resuming from a checkpoint (zero for the
// start), with the default SequencerLimits. Reading restarts at the earliest open transaction so
// that its documents are replayed.
func ReadCommitted(ctx context.Context, client Client, journal string, cp Checkpoint, block bool) (*CommittedReader, error) {
	return ReadCommittedLimits(ctx, client, journal, cp, block, SequencerLimits{})
}

// ReadCommittedLimits is ReadCommitted holding at most limits of open transactions in memory.
func ReadCommittedLimits(ctx context.Context, client Client, journal string, cp Checkpoint, block bool, limits SequencerLimits) (*CommittedReader, error) {
	from := cp.Offset
	for _, p := range cp.Producers {
		if p.Begin >= 0 && p.Begin < from {
			from = p.Begin
		}
	}
	chunks, err := client.Read(ctx, ReadRequest{Journal: journal, Offset: from, Block: block})
	if err != nil {
		return nil, err
	}
	return &CommittedReader{client: client, journal: journal, lines: NewLineReader(chunks, false),
		seq: NewSequencer(cp, limits), through: cp.Offset}, nil
}

// Next returns the next committed document.
func (r *CommittedReader) Next(ctx context.Context) (ReadDoc, error) {
	if err := r.lookaheadErr; err != nil {
		r.lookaheadErr = nil
		return ReadDoc{}, err
	}
	for {
		if doc, ok := r.seq.Next(); ok {
			// Re-read up to the document after this one now, so that Checkpoint is exact.
			r.lookaheadErr = r.replayUntilKnown(ctx)
			return doc, nil
		}
		if _, _, ok := r.seq.ReplayRange(); ok {
			if err := r.replayUntilKnown(ctx); err != nil {
				return ReadDoc{}, err
			}
			continue
		}
		r.closeReplay() // No transaction is being taken.
		doc, err := r.lines.Next(ctx)
		if err != nil {
			return ReadDoc{}, err
		}
		if doc.End <= r.through {
			r.seq.rebuffer(doc)
			continue
		}
		r.seq.Add(doc)
	}
}

// replayUntilKnown feeds the sequencer re-read documents until it knows its next committed one.
func (r *CommittedReader) replayUntilKnown(ctx context.Context) error {
	for {
		begin, end, ok := r.seq.ReplayRange()
		if !ok {
			return nil
		}
		if r.replay != nil && r.replayNext != begin {
			r.closeReplay()
		}
		if r.replay == nil {
			chunks, err := r.client.Read(ctx, ReadRequest{Journal: r.journal, Offset: begin})
			if err != nil {
				return err
			}
			r.replay, r.replayNext = NewLineReader(chunks, false), begin
		}
		doc, err := r.replay.Next(ctx)
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("journal %s: re-reading a committed transaction at [%d, %d): the journal ended at %d",
				r.journal, begin, end, r.replayNext)
		}
		if err == nil {
			err = r.seq.Replay(doc)
		}
		if err != nil {
			r.closeReplay() // A retry starts over from the sequencer's position.
			return err
		}
		r.replayNext = doc.End
	}
}

func (r *CommittedReader) closeReplay() {
	if r.replay != nil {
		r.replay.Close()
		r.replay = nil
	}
}

// Checkpoint is the reader's state after the documents Next has returned: resuming from it returns
// each later committed document exactly once.
func (r *CommittedReader) Checkpoint() Checkpoint { return r.seq.Checkpoint() }

// Held is how many documents of open transactions the reader holds in memory.
func (r *CommittedReader) Held() int { return r.seq.Held() }

// Close closes the reader.
func (r *CommittedReader) Close() error {
	r.closeReplay()
	return r.lines.Close()
}
