package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// readChunkSize is how much fragment content one Next returns at most.
const readChunkSize = 64 << 10

// localReader reads a journal across its persisted fragments and its live spool, in offset order.
type localReader struct {
	l      *Local
	info   JournalInfo
	dir    string
	store  Store
	offset int64
	block  bool

	// Exactly one of these is open at a time, positioned at offset.
	fragment    io.ReadCloser
	fragmentEnd int64
	spoolFile   *os.File
	spoolBegin  int64 // Journal offset the open spool begins at.
	spoolPos    int64 // File position of the next frame.
	spoolFrame  int64 // Journal offset of the next frame.
	buf         []byte
}

// Read implements Client.
func (l *Local) Read(_ context.Context, req ReadRequest) (ChunkReader, error) {
	info, dir, err := l.journalInfo(req.Journal)
	if err != nil {
		return nil, err
	}
	if req.Offset < 0 {
		return nil, fmt.Errorf("read of %s from negative offset %d", req.Journal, req.Offset)
	}
	l.mu.Lock()
	store, err := l.storeLocked(info.Store)
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &localReader{l: l, info: info, dir: dir, store: store, offset: req.Offset, block: req.Block,
		buf: make([]byte, readChunkSize)}, nil
}

func (r *localReader) Next(ctx context.Context) (Chunk, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Chunk{}, err
		}
		switch {
		case r.fragment != nil:
			n, err := r.fragment.Read(r.buf[:min(int64(len(r.buf)), r.fragmentEnd-r.offset)])
			if n > 0 {
				c := Chunk{Journal: r.info.Name, Begin: r.offset, Data: append([]byte(nil), r.buf[:n]...)}
				r.offset += int64(n)
				if r.offset == r.fragmentEnd {
					r.closeFragment()
				}
				return c, nil
			}
			if err == nil {
				continue
			}
			r.closeFragment()
			return Chunk{}, fmt.Errorf("journal %s: fragment ends at %d before the end its name gives (%d): %w", r.info.Name, r.offset, r.fragmentEnd, err)
		case r.spoolFile != nil:
			appended := r.appended()
			c, state, err := r.nextFromSpool()
			if err != nil || state == spoolChunk {
				return c, err
			}
			if state == spoolAtHead {
				if !r.block {
					return Chunk{}, io.EOF
				}
				if atSpoolHead != nil {
					atSpoolHead()
				}
				if err := r.wait(ctx, appended); err != nil {
					return Chunk{}, err
				}
			}
		default:
			appended := r.appended()
			found, err := r.locate(ctx)
			if err != nil {
				return Chunk{}, err
			}
			if found {
				continue
			}
			if !r.block {
				return Chunk{}, io.EOF
			}
			if err := r.wait(ctx, appended); err != nil {
				return Chunk{}, err
			}
		}
	}
}

// atSpoolHead is nil except in tests, which set it to append between a blocking reader finding
// the end of a live spool and its wait.
var atSpoolHead func()

// spoolState is what reading the open spool found.
type spoolState int

const (
	spoolChunk  spoolState = iota // A chunk of content.
	spoolAtHead                   // No more content yet: the spool is live.
	spoolRolled                   // The spool was persisted; its content continues elsewhere.
)

// nextFromSpool returns the next frame's content, or says whether the spool is still live.
func (r *localReader) nextFromSpool() (Chunk, spoolState, error) {
	f, err := readFrame(r.spoolFile, r.spoolPos)
	if err == nil {
		data := f.payload
		if skip := r.offset - r.spoolFrame; skip > 0 {
			data = data[skip:]
		}
		r.spoolPos, r.spoolFrame = f.next, r.spoolFrame+int64(len(f.payload))
		c := Chunk{Journal: r.info.Name, Begin: r.offset, Data: data}
		r.offset = r.spoolFrame
		return c, spoolChunk, nil
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, errTornFrame) {
		return Chunk{}, spoolAtHead, fmt.Errorf("journal %s: reading spool: %w", r.info.Name, err)
	}
	if live, err := r.spoolIsLive(); err != nil || live {
		return Chunk{}, spoolAtHead, err
	}
	r.closeSpool()
	return Chunk{}, spoolRolled, nil
}

// spoolIsLive says whether the open spool still takes appends; if not, it was rolled and every frame
// it will ever have is already read. The Local writing the journal knows its current spool; any other
// lists the journal's spools, where a newer one means this one was rolled.
func (r *localReader) spoolIsLive() (bool, error) {
	if current, known := r.l.isCurrentSpool(r.info.Name, r.spoolBegin); known {
		return current, nil
	}
	begins, err := spoolBegins(r.dir)
	if err != nil {
		return false, err
	}
	return len(begins) > 0 && begins[len(begins)-1] == r.spoolBegin, nil
}

// locate opens the fragment or spool holding offset. Spools are listed before fragments, because a
// spool is removed only after its fragment exists: whichever listing misses the content, the other has it.
// It returns false when offset is at or past the write head.
func (r *localReader) locate(ctx context.Context) (bool, error) {
	begins, err := spoolBegins(r.dir)
	if err != nil {
		return false, err
	}
	frags, err := listFragments(ctx, r.store, r.info.Name)
	if err != nil {
		return false, err
	}
	if afterListings != nil {
		afterListings()
	}
	var best *Fragment
	for i := range frags {
		f := &frags[i]
		if f.Begin <= r.offset && r.offset < f.End && (best == nil || f.End > best.End) {
			best = f
		}
	}
	if best != nil {
		return true, r.openFragment(ctx, *best)
	}
	for i := len(begins) - 1; i >= 0; i-- {
		if begins[i] > r.offset {
			continue
		}
		opened, err := r.openSpool(begins[i])
		if errors.Is(err, errSpoolVanished) {
			// Persisted and removed between the two listings: its fragment exists now, so look
			// again rather than skip its content.
			return true, nil
		}
		if err != nil || opened {
			return opened, err
		}
		break
	}
	// Nothing holds offset: skip forward to the next content, if any, as Gazette does when older
	// content is gone.
	next := int64(-1)
	for _, f := range frags {
		if f.Begin > r.offset && (next < 0 || f.Begin < next) {
			next = f.Begin
		}
	}
	for _, b := range begins {
		if b > r.offset && (next < 0 || b < next) {
			next = b
		}
	}
	if next < 0 {
		return false, nil
	}
	r.offset = next
	return true, nil
}

// openFragment opens a fragment and discards content before offset.
func (r *localReader) openFragment(ctx context.Context, f Fragment) error {
	raw, err := r.store.Open(ctx, f.ContentPath())
	if err != nil {
		return fmt.Errorf("journal %s: opening fragment %s: %w", r.info.Name, f.ContentPath(), err)
	}
	dec, err := f.Codec.decompressor(raw)
	if err != nil {
		raw.Close()
		return fmt.Errorf("journal %s: fragment %s: %w", r.info.Name, f.ContentPath(), err)
	}
	if _, err := io.CopyN(io.Discard, dec, r.offset-f.Begin); err != nil {
		dec.Close()
		raw.Close()
		return fmt.Errorf("journal %s: fragment %s is shorter than its name says: %w", r.info.Name, f.ContentPath(), err)
	}
	r.fragment, r.fragmentEnd = readCloser{dec, raw}, f.End
	return nil
}

// afterListings is nil except in tests, which set it to persist a spool between the reader's listings
// and its opening of the spool.
var afterListings func()

// errSpoolVanished is a spool removed, once persisted, after the reader listed it.
var errSpoolVanished = errors.New("spool was persisted and removed")

// openSpool opens the spool beginning at begin and finds the frame holding offset. It returns false if
// the spool ends before offset, and errSpoolVanished if it was removed after being listed.
func (r *localReader) openSpool(begin int64) (bool, error) {
	f, err := os.Open(filepath.Join(r.dir, spoolName(begin)))
	if errors.Is(err, fs.ErrNotExist) {
		return false, errSpoolVanished
	} else if err != nil {
		return false, fmt.Errorf("journal %s: %w", r.info.Name, err)
	}
	pos, at := int64(0), begin
	for {
		fr, err := readFrame(f, pos)
		if (errors.Is(err, io.EOF) || errors.Is(err, errTornFrame)) && at == r.offset {
			// Reading from the write head: stay on this spool and wait for its next frame.
			r.spoolFile, r.spoolBegin, r.spoolPos, r.spoolFrame = f, begin, pos, at
			return true, nil
		}
		if err != nil {
			f.Close()
			if errors.Is(err, io.EOF) || errors.Is(err, errTornFrame) {
				return false, nil
			}
			return false, fmt.Errorf("journal %s: reading spool: %w", r.info.Name, err)
		}
		if end := at + int64(len(fr.payload)); end > r.offset {
			r.spoolFile, r.spoolBegin, r.spoolPos, r.spoolFrame = f, begin, pos, at
			return true, nil
		}
		pos, at = fr.next, at+int64(len(fr.payload))
	}
}

// appended returns, for a blocking reader, the channel the Local's next append closes. It is
// taken before a read looks for content, so that an append landing between that look and the
// wait still wakes the reader (taken in wait, it would be the channel after that append's).
func (r *localReader) appended() <-chan struct{} {
	if !r.block {
		return nil
	}
	r.l.mu.Lock()
	defer r.l.mu.Unlock()
	return r.l.changed
}

// wait returns once changed closes, PollInterval passes (appends by other processes close
// nothing) or ctx ends.
func (r *localReader) wait(ctx context.Context, changed <-chan struct{}) error {
	timer := time.NewTimer(r.l.opts.PollInterval)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer.C:
	}
	return nil
}

func (r *localReader) closeFragment() {
	if r.fragment != nil {
		r.fragment.Close()
		r.fragment = nil
	}
}

func (r *localReader) closeSpool() {
	if r.spoolFile != nil {
		r.spoolFile.Close()
		r.spoolFile = nil
	}
}

func (r *localReader) Close() error {
	r.closeFragment()
	r.closeSpool()
	return nil
}

// readCloser closes a decompressor and the file beneath it.
type readCloser struct {
	io.ReadCloser
	under io.Closer
}

func (rc readCloser) Close() error {
	return errors.Join(rc.ReadCloser.Close(), rc.under.Close())
}
