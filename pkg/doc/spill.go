package doc

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
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

// spillEntries writes the held entries as one sorted run and forgets them.
func (c *Combiner) spillEntries() error {
	if c.spill == nil {
		f, err := os.CreateTemp(c.spec.SpillDir, "flowctl-combine-*.spill")
		if err != nil {
			return fmt.Errorf("combiner is past its memory limit and cannot spill (set a writable spill directory): %w", err)
		}
		_ = os.Remove(f.Name()) // keep it open, unlinked: the OS reclaims it however we exit
		c.spill = &spillFile{f: f}
	}
	if err := c.spill.writeRun(c.sortedEntries()); err != nil {
		return err
	}
	// The key classes and order stay: the spilled keys take part in the merge at drain.
	c.entries, c.held = map[string]*entry{}, 0
	return nil
}

func (s *spillFile) writeRun(entries []*entry) error {
	out := &offsetWriter{f: s.f, off: s.size}
	w := bufio.NewWriterSize(out, 1<<16)
	var buf []byte
	for _, e := range entries {
		buf = appendRecord(buf[:0], e)
		if _, err := w.Write(buf); err != nil {
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

// A record is: packed key, flags, document count, then each document as JSON, every part
// prefixed by its uvarint length or value.
func appendRecord(buf []byte, e *entry) []byte {
	buf = appendLenPrefixed(buf, e.key)
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
	buf = binary.AppendUvarint(buf, uint64(len(e.docs)))
	for _, d := range e.docs {
		buf = appendLenPrefixed(buf, Append(nil, d))
	}
	return buf
}

func appendLenPrefixed[T string | []byte](buf []byte, b T) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(b))), b...)
}

// runReader reads the records of one run, or walks the in-memory entries (mem != nil).
type runReader struct {
	r     *bufio.Reader
	mem   []*entry
	index int // arrival order: earlier runs hold earlier documents
	// byValue: the merge orders by value, so each key's values are read back from its bytes.
	byValue bool
	head    *entry
	buf     []byte
}

func (rr *runReader) next() error {
	if rr.r == nil {
		rr.head = nil
		if len(rr.mem) > 0 {
			rr.head, rr.mem = rr.mem[0], rr.mem[1:]
		}
		return nil
	}
	packed, err := rr.readChunk()
	if errors.Is(err, io.EOF) {
		rr.head = nil
		return nil
	} else if err != nil {
		return err
	}
	e := &entry{key: string(packed)}
	if rr.byValue {
		if e.vals, err = keyValues(e.key); err != nil {
			return fmt.Errorf("combiner spill file is corrupt: %w", err)
		}
	}
	flags, err := rr.r.ReadByte()
	if err != nil {
		return corrupt(err)
	}
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return corrupt(err)
	}
	e.front, e.reduced, e.deleted = flags&flagFront != 0, flags&flagReduced != 0, flags&flagDeleted != 0
	for range n {
		b, err := rr.readChunk()
		if err != nil {
			return corrupt(err)
		}
		d, err := Decode(b)
		if err != nil {
			return fmt.Errorf("combiner spill file is corrupt: %w", err)
		}
		e.docs = append(e.docs, d)
	}
	rr.head = e
	return nil
}

func corrupt(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("combiner spill file is corrupt: %w", err)
}

func (rr *runReader) readChunk() ([]byte, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return nil, err
	}
	if cap(rr.buf) < int(n) {
		rr.buf = make([]byte, n)
	}
	rr.buf = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		return nil, corrupt(err)
	}
	return rr.buf, nil
}

// runHeap orders run heads by key, then by arrival, so equal keys reduce in arrival order.
type runHeap struct {
	readers []*runReader
	order   func(a, b *entry) int
}

func (h *runHeap) Len() int { return len(h.readers) }
func (h *runHeap) Less(i, j int) bool {
	if c := h.order(h.readers[i].head, h.readers[j].head); c != 0 {
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

// merge walks the runs and the in-memory entries (the latest) in key order, combining entries
// of equal keys in arrival order, and emits each key once.
func (s *spillFile) merge(mem []*entry, byValue bool, combine func(e, later *entry) error, emit func(*entry) error) error {
	readers := make([]*runReader, 0, len(s.runs)+1)
	for i, r := range s.runs {
		section := io.NewSectionReader(s.f, r.start, r.end-r.start)
		readers = append(readers, &runReader{r: bufio.NewReaderSize(section, 32<<10), index: i, byValue: byValue})
	}
	readers = append(readers, &runReader{mem: mem, index: len(s.runs)})
	h := &runHeap{readers: make([]*runReader, 0, len(readers)), order: entryOrder(byValue)}
	for _, rr := range readers {
		if err := rr.next(); err != nil {
			return err
		}
		if rr.head != nil {
			h.readers = append(h.readers, rr)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		acc, err := pop(h)
		if err != nil {
			return err
		}
		for h.Len() > 0 && h.order(h.readers[0].head, acc) == 0 {
			later, err := pop(h)
			if err != nil {
				return err
			}
			if err := combine(acc, later); err != nil {
				return err
			}
		}
		if err := emit(acc); err != nil {
			return err
		}
	}
	return nil
}

// pop takes the smallest head and advances its reader.
func pop(h *runHeap) (*entry, error) {
	rr := h.readers[0]
	e := rr.head
	if err := rr.next(); err != nil {
		return nil, err
	}
	if rr.head == nil {
		heap.Pop(h)
	} else {
		heap.Fix(h, 0)
	}
	return e, nil
}
