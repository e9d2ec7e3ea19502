package doc

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/flowctl/flowctl/pkg/node"
)

// spillFile holds sorted runs of entries, one after another in an unlinked temporary file, so
// nothing is left behind if the process dies.
type spillFile struct {
	f    *os.File
	runs []run
	size int64
}

type run struct{ start, end int64 }

const (
	flagFront = 1 << iota
	flagReduced
	flagDeleted
)

// spillEntries writes the held entries as one sorted run, forgets them and rewinds the arena.
func (c *Combiner) spillEntries() error {
	if c.spill == nil {
		f, err := os.CreateTemp(c.spec.SpillDir, "flowctl-combine-*.spill")
		if err != nil {
			return fmt.Errorf("combiner is past its memory limit and cannot spill (set a writable spill directory): %w", err)
		}
		_ = os.Remove(f.Name()) // keep it open, unlinked: the OS reclaims it however we exit
		c.spill = &spillFile{f: f}
	}
	if err := c.spill.writeRun(&c.arena, c.entries, c.sortedEntries()); err != nil {
		return err
	}
	// The key classes and order stay: the spilled keys take part in the merge at drain.
	c.forgetEntries()
	return nil
}

func (s *spillFile) writeRun(a *node.Arena, entries []entry, order []int32) error {
	out := &offsetWriter{f: s.f, off: s.size}
	w := bufio.NewWriterSize(out, 1<<16)
	var rec, buf []byte
	for _, i := range order {
		rec, buf = appendRecord(rec[:0], buf[:0], a, &entries[i])
		if _, err := w.Write(rec); err != nil {
			return fmt.Errorf("writing combiner spill file: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing combiner spill file: %w", err)
	}
	s.runs = append(s.runs, run{s.size, out.off})
	s.size = out.off
	return nil
}

func (s *spillFile) close() { _ = s.f.Close() }

type offsetWriter struct {
	f   *os.File
	off int64
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	n, err := w.f.WriteAt(p, w.off)
	w.off += int64(n)
	return n, err
}

// A record is its length, then: packed key, flags, document count, and each document as JSON,
// every part prefixed by its uvarint length or value. buf is scratch for the body.
func appendRecord(rec, buf []byte, a *node.Arena, e *entry) ([]byte, []byte) {
	buf = appendLenPrefixed(buf, a.Str(e.key))
	var flags byte
	if e.front {
		flags |= flagFront
	}
	if e.reduced {
		flags |= flagReduced
	}
	if e.deleted {
		flags |= flagDeleted
	}
	buf = append(buf, flags)
	buf = binary.AppendUvarint(buf, uint64(1+len(e.more)))
	buf = appendDocPrefixed(buf, a, e.doc)
	for _, d := range e.more {
		buf = appendDocPrefixed(buf, a, d)
	}
	return appendLenPrefixed(rec, buf), buf
}

// appendDocPrefixed appends d's JSON after its length, writing it in place and moving it right
// by the length's width.
func appendDocPrefixed(buf []byte, a *node.Arena, d node.Node) []byte {
	start := len(buf)
	buf = a.AppendJSON(buf, d)
	var width [binary.MaxVarintLen64]byte
	w := binary.PutUvarint(width[:], uint64(len(buf)-start))
	buf = append(buf, width[:w]...)
	copy(buf[start+w:], buf[start:len(buf)-w])
	copy(buf[start:], width[:w])
	return buf
}

func appendLenPrefixed[T string | []byte](buf []byte, b T) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(b))), b...)
}

// runHead is the record at the head of a run. Its slices alias the reader's buffer.
type runHead struct {
	key   []byte
	vals  []any // byValue: the key's values, read back from its packed bytes
	flags byte
	docs  [][]byte
}

// runReader reads the records of one run.
type runReader struct {
	r     *bufio.Reader
	index int // arrival order: earlier runs hold earlier documents
	// byValue: the merge orders by value, so each key's values are read back from its bytes.
	byValue bool
	head    runHead
	buf     []byte
}

// next reads the next record, reporting false at the end of the run.
func (rr *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(rr.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	} else if err != nil {
		return false, corrupt(err)
	}
	if cap(rr.buf) < int(n) {
		rr.buf = make([]byte, n)
	}
	rr.buf = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		return false, corrupt(err)
	}
	return true, rr.parse()
}

func (rr *runReader) parse() error {
	r := bytes.NewReader(rr.buf)
	h := &rr.head
	var err error
	if h.key, err = readPrefixed(r, rr.buf); err != nil {
		return corrupt(err)
	}
	if rr.byValue {
		if h.vals, err = keyValues(string(h.key)); err != nil {
			return fmt.Errorf("combiner spill file is corrupt: %w", err)
		}
	}
	if h.flags, err = r.ReadByte(); err != nil {
		return corrupt(err)
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 {
		return corrupt(errors.Join(err, errors.New("a record without documents")))
	}
	h.docs = h.docs[:0]
	for range n {
		d, err := readPrefixed(r, rr.buf)
		if err != nil {
			return corrupt(err)
		}
		h.docs = append(h.docs, d)
	}
	return nil
}

// readPrefixed reads a length-prefixed part of buf, which r reads.
func readPrefixed(r *bytes.Reader, buf []byte) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	start := len(buf) - r.Len()
	if n > uint64(r.Len()) {
		return nil, io.ErrUnexpectedEOF
	}
	_, _ = r.Seek(int64(n), io.SeekCurrent)
	return buf[start : start+int(n)], nil
}

func corrupt(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("combiner spill file is corrupt: %w", err)
}

// headOrder orders run heads by key: by packed bytes, or by value.
func headOrder(byValue bool) func(x, y *runHead) int {
	if byValue {
		return func(x, y *runHead) int { return compareTuples(x.vals, y.vals) }
	}
	return func(x, y *runHead) int { return bytes.Compare(x.key, y.key) }
}

// runHeap orders run heads by key, then by arrival, so equal keys reduce in arrival order.
type runHeap struct {
	readers []*runReader
	order   func(x, y *runHead) int
}

func (h *runHeap) Len() int { return len(h.readers) }
func (h *runHeap) Less(i, j int) bool {
	if c := h.order(&h.readers[i].head, &h.readers[j].head); c != 0 {
		return c < 0
	}
	return h.readers[i].index < h.readers[j].index
}
func (h *runHeap) Swap(i, j int) { h.readers[i], h.readers[j] = h.readers[j], h.readers[i] }
func (h *runHeap) Push(x any)    { h.readers = append(h.readers, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := h.readers
	x := old[len(old)-1]
	h.readers = old[:len(old)-1]
	return x
}

// advance moves the smallest run to its next record.
func (h *runHeap) advance() error {
	more, err := h.readers[0].next()
	if err != nil {
		return err
	}
	if more {
		heap.Fix(h, 0)
	} else {
		heap.Pop(h)
	}
	return nil
}

// drainSpilled spills what is held as a last run, then merges the runs in key order: each key's
// records are read into the arena, combined in arrival order and emitted, and the arena is rewound
// for the next key.
func (c *Combiner) drainSpilled(full bool, fn func(Drained) error) error {
	if len(c.entries) > 0 {
		if err := c.spillEntries(); err != nil {
			return err
		}
	}
	s := c.spill
	h := &runHeap{readers: make([]*runReader, 0, len(s.runs)), order: headOrder(c.byValue)}
	for i, r := range s.runs {
		section := io.NewSectionReader(s.f, r.start, r.end-r.start)
		rr := &runReader{r: bufio.NewReaderSize(section, 32<<10), index: i, byValue: c.byValue}
		more, err := rr.next()
		if err != nil {
			return err
		}
		if more {
			h.readers = append(h.readers, rr)
		}
	}
	heap.Init(h)
	a := &c.arena
	var acc, later entry
	var key runHead
	for h.Len() > 0 {
		a.Rewind()
		head := &h.readers[0].head
		if err := loadHead(a, &acc, head); err != nil {
			return err
		}
		key.key, key.vals = append(key.key[:0], head.key...), head.vals
		if err := h.advance(); err != nil {
			return err
		}
		for h.Len() > 0 && h.order(&h.readers[0].head, &key) == 0 {
			if err := loadHead(a, &later, &h.readers[0].head); err != nil {
				return err
			}
			if err := h.advance(); err != nil {
				return err
			}
			if err := c.combine(a, &acc, &later); err != nil {
				return err
			}
		}
		if err := c.finish(a, &acc, full, fn); err != nil {
			return err
		}
	}
	return nil
}

// loadHead decodes a record into e, its documents into the arena.
func loadHead(a *node.Arena, e *entry, h *runHead) error {
	*e = entry{key: a.BytesNode(h.key), front: h.flags&flagFront != 0, reduced: h.flags&flagReduced != 0, deleted: h.flags&flagDeleted != 0}
	for i, b := range h.docs {
		d, err := a.Decode(b)
		if err != nil {
			return fmt.Errorf("combiner spill file is corrupt: %w", err)
		}
		if i == 0 {
			e.doc = d
		} else {
			e.more = append(e.more, d)
		}
	}
	return nil
}
