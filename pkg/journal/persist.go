package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Fragments are persisted off the append path. An append that fills its spool, or a flush interval
// that passes, only rolls the journal to a new spool; the rolled spool stays on disk, where readers
// and recovery find it, until the persister goroutine has written it as a durable fragment. Only then
// is the spool file removed, so a crash at any point leaves the content in a spool, a fragment or both.

// persistStep is nil except in tests, which set it to kill the process at a step of persisting.
var persistStep func(step string)

func atPersistStep(step string) {
	if persistStep != nil {
		persistStep(step)
	}
}

// rollIfDueLocked rolls a non-empty spool that is full, or whose first append lies in an earlier
// flush interval than now: intervals are uniform UTC segments, so 24h rolls at midnight UTC.
func (l *Local) rollIfDueLocked(j *localJournal, now time.Time) error {
	s := j.spool
	if s.end == s.begin {
		return nil
	}
	interval := j.info.Fragments.FlushInterval
	full := s.end-s.begin >= j.info.Fragments.Length
	if !full && s.firstAppend.UnixNano()/int64(interval) == now.UnixNano()/int64(interval) {
		return nil
	}
	return l.rollLocked(j)
}

// rollLocked hands the journal's non-empty spool to the persister and starts a new spool at its end.
func (l *Local) rollLocked(j *localJournal) error {
	s := j.spool
	if s.end == s.begin {
		return nil
	}
	next, err := createSpool(j.dir, s.end)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.info.Name, err)
	}
	next.codec = j.codec
	j.rolled = append(j.rolled, s)
	j.spool = next
	l.kickPersister()
	return nil
}

func (l *Local) kickPersister() {
	select {
	case l.persistKick <- struct{}{}:
	default: // A kick is pending already; it will find this spool too.
	}
}

// persistLoop persists rolled spools as they come, until Close.
func (l *Local) persistLoop() {
	defer l.stopped.Done()
	for {
		select {
		case <-l.stop:
			return
		case <-l.persistKick:
		}
		if err := l.persistRolled(context.Background()); err != nil {
			l.opts.Logger.Warn("persisting a fragment failed; its spool is kept and retried", "error", err)
		}
	}
}

// persistRolled persists every rolled spool, oldest first within each journal, so that a journal's
// fragments always cover a prefix of its content. A journal whose spool fails keeps it (and those
// after it) for the next attempt.
func (l *Local) persistRolled(ctx context.Context) error {
	l.persistMu.Lock()
	defer l.persistMu.Unlock()
	failed := map[*localJournal]bool{}
	var errs []error
	for {
		j, s := l.nextRolled(failed)
		if s == nil {
			return errors.Join(errs...)
		}
		if err := l.persistSpool(ctx, j, s); err != nil {
			failed[j] = true
			errs = append(errs, err)
		}
	}
}

// nextRolled returns the oldest rolled spool of a journal not in skip, or nil if there is none.
func (l *Local) nextRolled(skip map[*localJournal]bool) (*localJournal, *spool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, j := range l.journals {
		if len(j.rolled) > 0 && !skip[j] {
			return j, j.rolled[0]
		}
	}
	return nil, nil
}

// persistSpool writes a rolled spool as a fragment, then removes the spool. It runs without the
// Local's lock: a rolled spool takes no more appends, and only the persister changes it.
func (l *Local) persistSpool(ctx context.Context, j *localJournal, s *spool) error {
	// An append may still be syncing its last frames; wait for that before the file is closed.
	if err := s.syncTo(s.size); err != nil {
		return err
	}
	frag := Fragment{
		Journal:     j.info.Name,
		Begin:       s.begin,
		End:         s.end,
		Codec:       s.codec,
		PathPostfix: PathPostfix(s.firstAppend),
	}
	copy(frag.Sum[:], s.sum.Sum(nil))
	atPersistStep("before-put")
	compressed := s.takeScratch()
	err := j.store.Put(ctx, frag.ContentPath(), func(w io.Writer) error {
		defer atPersistStep("written")
		if compressed != nil {
			_, err := io.Copy(w, compressed)
			return err
		}
		return compressSpool(s.codec, s, w)
	})
	s.dropScratch()
	if err != nil {
		return fmt.Errorf("persisting fragment %s: %w", frag.ContentPath(), err)
	}
	atPersistStep("persisted")

	l.mu.Lock()
	j.rolled = j.rolled[1:]
	l.mu.Unlock()
	s.file.Close()
	// Not synced: if the removal is lost in a crash, recovery finds the spool persisted and removes it.
	if err := os.Remove(s.path); err != nil {
		return fmt.Errorf("journal %s: removing persisted spool: %w", j.info.Name, err)
	}
	l.opts.Logger.Debug("persisted fragment", "journal", j.info.Name, "path", frag.ContentPath())
	return l.applyRetention(ctx, j)
}

// compressSpool writes the content of a spool's frames to w through the codec: the fragment of a
// spool that has no scratch file (one recovered after a crash).
func compressSpool(codec Codec, s *spool, w io.Writer) error {
	zw, err := codec.compressor(w)
	if err != nil {
		return err
	}
	err = scanFrames(s.file, 0, func(f frame) error {
		_, err := zw.Write(f.payload)
		return err
	})
	if err != nil {
		return fmt.Errorf("reading spool %s: %w", s.path, err)
	}
	return zw.Close()
}

// applyRetention removes fragments persisted longer ago than the journal's retention.
func (l *Local) applyRetention(ctx context.Context, j *localJournal) error {
	l.mu.Lock() // AddCollection may be changing it
	keep := j.info.Fragments.Retention
	l.mu.Unlock()
	fs, ok := j.store.(*fileStore)
	if keep == 0 || !ok {
		return nil
	}
	frags, err := listFragments(ctx, j.store, j.info.Name)
	if err != nil {
		return err
	}
	cutoff := l.opts.Now().Add(-keep)
	for _, f := range frags {
		if f.ModTime.Before(cutoff) {
			if err := fs.remove(f.ContentPath()); err != nil {
				return err
			}
		}
	}
	return nil
}
