package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/journal"
)

// Source is one collection a task reads, with Flow's read options of a transform or binding.
type Source struct {
	Collection string
	// Template is the collection's partition template name ("" means Collection).
	Template string
	// ReadSuffix distinguishes this read in checkpoints: `derive/<derivation>/<transform>` or
	// `materialize/<materialization>/<resource path>`.
	ReadSuffix string
	// Partitions selects logical partitions (nil: all).
	Partitions *journal.Selector
	// NotBefore and NotAfter bound the publish times of documents read (zero: unbounded).
	NotBefore, NotAfter time.Time
	// ReadDelay holds a document back until its publish time plus the delay.
	ReadDelay time.Duration
	// Priority orders ready documents: higher first.
	Priority uint32
}

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	Client  journal.Client
	Sources []Source
	// Checkpoint is where reading resumes, keyed by SourceKey (nil: from the start).
	Checkpoint map[string]connector.SourceCheckpoint
	// Now is the clock read delays are measured against (default time.Now). A synthetic clock
	// signals Wake when it advances.
	Now func() time.Time
	// Wake returns a channel that is closed when journals may have new content or the clock
	// advanced (nil: only the poll interval wakes a Wait). Notifier.C fits.
	Wake func() <-chan struct{}
	// Poll is how long Wait sleeps without a Wake before looking again for appends and new
	// journals (default 100ms).
	Poll time.Duration
}

// SourceDoc is one committed document read from a source.
type SourceDoc struct {
	Source     int // index in ReaderOptions.Sources
	Journal    string
	Begin, End int64
	UUID       journal.UUID
	Raw        json.RawMessage
}

// Reader reads the committed documents of a task's sources across all their journals, journals
// created later included. Documents come out ready-first: a document is ready at its publish time
// plus its source's read delay; among ready documents the highest priority comes first, then the
// earliest publish clock plus delay, as Flow's shuffle governor orders them.
//
// Reading is non-blocking (Poll) with a separate Wait, so that a transaction loop can commit when
// nothing is ready. A Reader is not safe for concurrent use.
type Reader struct {
	opts     ReaderOptions
	journals map[string]*journalRead // by SourceKey
	order    []*journalRead          // stable iteration order
	// resumed holds checkpoints of journals not (yet) read, so they carry over unchanged.
	resumed map[string]connector.SourceCheckpoint
	// wake is the Wake channel taken as the last Poll began, before it looked at any journal: an
	// append announced since closes it, so Wait does not sleep through one that landed between
	// Poll and Wait.
	wake <-chan struct{}
}

// journalRead is the read of one journal under one source, with at most one document read ahead.
type journalRead struct {
	source  int
	key     string
	name    string
	r       *journal.CommittedReader
	head    *SourceDoc
	readyAt time.Time
	// headCp is the state before head: the checkpoint while head is not yet returned.
	headCp journal.Checkpoint
	atEOF  bool
	// idle is the Wake channel taken before the read that found the end, at idleSince: until it
	// closes (or the poll interval passes, for appends no Wake announces) there is nothing new to
	// read, and looking (a directory listing at a live spool) is skipped.
	idle      <-chan struct{}
	idleSince time.Time
}

// NewReader opens a Reader on the journals that exist now; Poll and Wait find later ones.
func NewReader(ctx context.Context, opts ReaderOptions) (*Reader, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll <= 0 {
		opts.Poll = 100 * time.Millisecond
	}
	r := &Reader{opts: opts, journals: map[string]*journalRead{}, resumed: map[string]connector.SourceCheckpoint{}}
	for k, v := range opts.Checkpoint {
		r.resumed[k] = v
	}
	if err := r.discover(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// discover opens a read of every selected journal not yet read.
func (r *Reader) discover(ctx context.Context) error {
	for i, src := range r.opts.Sources {
		infos, err := r.opts.Client.ListJournals(ctx, src.Collection)
		if err != nil {
			return fmt.Errorf("listing journals of %s: %w", src.Collection, err)
		}
		for _, info := range infos {
			key := SourceKey(info.Name, src.ReadSuffix)
			if r.journals[key] != nil {
				continue
			}
			if src.Partitions != nil {
				template := src.Template
				if template == "" {
					template = src.Collection
				}
				ok, err := src.Partitions.MatchesJournal(template, info.Name)
				if err != nil {
					return fmt.Errorf("selecting partitions of %s: %w", src.Collection, err)
				}
				if !ok {
					continue
				}
			}
			var cp journal.Checkpoint
			if sc, ok := r.resumed[key]; ok {
				if cp, err = fromSourceCheckpoint(key, sc); err != nil {
					return err
				}
			}
			cr, err := journal.ReadCommitted(ctx, r.opts.Client, info.Name, cp, false)
			if err != nil {
				return fmt.Errorf("reading %s from offset %d: %w", info.Name, cp.Offset, err)
			}
			delete(r.resumed, key)
			jr := &journalRead{source: i, key: key, name: info.Name, r: cr}
			r.journals[key] = jr
			r.order = append(r.order, jr)
		}
	}
	sort.SliceStable(r.order, func(a, b int) bool { return r.order[a].key < r.order[b].key })
	return nil
}

// fill reads ahead one deliverable document of a journal, skipping ACKs and documents outside the
// source's time bounds.
func (r *Reader) fill(ctx context.Context, jr *journalRead) error {
	if jr.head != nil {
		return nil
	}
	if jr.atEOF && jr.idle != nil && time.Since(jr.idleSince) < r.opts.Poll {
		select {
		case <-jr.idle:
		default:
			return nil
		}
	}
	src := &r.opts.Sources[jr.source]
	for jr.head == nil {
		before := jr.r.Checkpoint()
		d, err := jr.r.Next(ctx)
		if errors.Is(err, io.EOF) {
			jr.atEOF, jr.idle, jr.idleSince = true, r.wake, time.Now()
			return nil
		} else if err != nil {
			return fmt.Errorf("reading source %s: %w", src.Collection, err)
		}
		jr.atEOF = false
		if d.IsAck() {
			continue
		}
		published := d.UUID.PublishedAt()
		if (!src.NotBefore.IsZero() && published.Before(src.NotBefore)) ||
			(!src.NotAfter.IsZero() && !published.Before(src.NotAfter)) {
			continue
		}
		jr.head = &SourceDoc{Source: jr.source, Journal: d.Journal, Begin: d.Begin, End: d.End, UUID: d.UUID, Raw: d.Raw}
		jr.headCp = before
		jr.readyAt = time.Time{} // Without a delay a document is ready at once, whatever the clocks say.
		if src.ReadDelay > 0 {
			jr.readyAt = published.Add(src.ReadDelay)
		}
	}
	return nil
}

// Poll returns the next ready document, or false when none is ready now.
func (r *Reader) Poll(ctx context.Context) (SourceDoc, bool, error) {
	now := r.opts.Now()
	if r.opts.Wake != nil {
		r.wake = r.opts.Wake()
	}
	var best *journalRead
	var bestClock journal.Clock
	for _, jr := range r.order {
		if err := r.fill(ctx, jr); err != nil {
			return SourceDoc{}, false, err
		}
		if jr.head == nil || jr.readyAt.After(now) {
			continue
		}
		src := &r.opts.Sources[jr.source]
		clock := jr.head.UUID.Clock() + delayClock(src.ReadDelay)
		if best == nil || src.Priority > r.opts.Sources[best.source].Priority ||
			(src.Priority == r.opts.Sources[best.source].Priority && clock < bestClock) {
			best, bestClock = jr, clock
		}
	}
	if best == nil {
		return SourceDoc{}, false, nil
	}
	doc := *best.head
	best.head = nil
	return doc, true, nil
}

// delayClock converts a read delay to clock units (100ns ticks above a 4-bit counter).
func delayClock(d time.Duration) journal.Clock {
	return journal.Clock(d/100) << 4
}

// CaughtUp reports whether the last Poll found every journal read to its end with no document
// held back by a read delay.
func (r *Reader) CaughtUp() bool {
	for _, jr := range r.order {
		if jr.head != nil || !jr.atEOF {
			return false
		}
	}
	return true
}

// NextReady is when the earliest document held back by a read delay becomes ready, as of the last
// Poll, and false when none is held back. A driver of a synthetic clock advances it there.
func (r *Reader) NextReady() (time.Time, bool) {
	var next time.Time
	found := false
	for _, jr := range r.order {
		if jr.head != nil && (!found || jr.readyAt.Before(next)) {
			next, found = jr.readyAt, true
		}
	}
	return next, found
}

// Discover looks for journals created since the reader last looked, and reports whether it found
// any. A task that finds nothing to read calls it before claiming to be caught up, since Wait
// discovers only after its wake.
func (r *Reader) Discover(ctx context.Context) (bool, error) {
	known := len(r.order)
	err := r.discover(ctx)
	return len(r.order) > known, err
}

// Wait blocks until a document may be ready: a Wake since the last Poll began, the earliest
// held-back document's ready time, or the poll interval. It then looks for new journals.
func (r *Reader) Wait(ctx context.Context) error {
	sleep := r.opts.Poll
	if next, ok := r.NextReady(); ok {
		sleep = min(sleep, max(next.Sub(r.opts.Now()), 0))
	}
	wake := r.wake
	if wake == nil && r.opts.Wake != nil {
		wake = r.opts.Wake()
	}
	r.wake = nil // a later Wait with no Poll between starts from then
	timer := time.NewTimer(sleep)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-timer.C:
	}
	return r.discover(ctx)
}

// Checkpoint is the read state after the documents Poll returned, keyed by SourceKey.
func (r *Reader) Checkpoint() map[string]connector.SourceCheckpoint {
	out := make(map[string]connector.SourceCheckpoint, len(r.order)+len(r.resumed))
	for k, v := range r.resumed {
		out[k] = v
	}
	for _, jr := range r.order {
		cp := jr.headCp
		if jr.head == nil {
			cp = jr.r.Checkpoint()
		}
		out[jr.key] = toSourceCheckpoint(cp)
	}
	return out
}

// Close closes every journal read.
func (r *Reader) Close() {
	for _, jr := range r.order {
		jr.r.Close()
	}
	r.order, r.journals = nil, map[string]*journalRead{}
}
