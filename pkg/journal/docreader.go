package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// ReadDoc is one JSON document read from a journal: the line [Begin, End) without its newline.
type ReadDoc struct {
	Journal    string
	Begin, End int64
	UUID       UUID
	Raw        json.RawMessage
}

// IsAck reports whether the document is an ACK that commits a transaction (not data).
func (d ReadDoc) IsAck() bool { return d.UUID.Flags()&FlagAck != 0 }

// LineReader splits a journal's content into documents and parses their /_meta/uuid. It reads
// uncommitted: every document, including ACKs and documents of transactions later rolled back.
type LineReader struct {
	chunks  ChunkReader
	journal string
	// buf is content from journal offset begin; rest is the content after it, not yet split. Both
	// are slices of chunks (never reused by the chunk reader), so a line is returned without a copy
	// unless it spans chunks; owned says that buf is such a joined copy, which appends may grow.
	buf, rest []byte
	owned     bool
	begin     int64
	// resync skips to the next newline first, when reading starts inside a document.
	resync  bool
	started bool
}

// NewLineReader reads documents from chunks. Set resync when the read offset may be inside a document.
func NewLineReader(chunks ChunkReader, resync bool) *LineReader {
	return &LineReader{chunks: chunks, resync: resync}
}

// Next returns the next document, io.EOF at the write head of a non-blocking read. The document's
// Raw stays valid after later calls.
func (r *LineReader) Next(ctx context.Context) (ReadDoc, error) {
	for {
		if i := bytes.IndexByte(r.buf, '\n'); i >= 0 {
			line := r.buf[:i]
			begin := r.begin
			r.buf = r.buf[i+1:]
			r.begin += int64(i + 1)
			if r.resync {
				r.resync = false
				continue
			}
			doc, err := parseDoc(line)
			doc.Journal, doc.Begin, doc.End = r.journal, begin, begin+int64(i+1)
			if err != nil {
				return ReadDoc{}, fmt.Errorf("journal %s: document at offset %d: %w", r.journal, begin, err)
			}
			return doc, nil
		}
		if len(r.rest) > 0 {
			r.takeRest()
			continue
		}
		c, err := r.chunks.Next(ctx)
		if err != nil {
			return ReadDoc{}, err
		}
		if !r.started {
			r.begin, r.journal, r.started = c.Begin, c.Journal, true
		} else if c.Begin != r.begin+int64(len(r.buf)) {
			// The reader skipped forward past missing content: restart at a document boundary.
			r.buf, r.begin, r.resync = nil, c.Begin, true
		}
		r.rest = c.Data
	}
}

// takeRest moves content from rest to buf: all of it when buf is empty, else through the next
// newline, joining the line that spans chunks in a buffer of its own.
func (r *LineReader) takeRest() {
	if len(r.buf) == 0 {
		r.buf, r.rest, r.owned = r.rest, nil, false
		return
	}
	n := len(r.rest)
	if i := bytes.IndexByte(r.rest, '\n'); i >= 0 {
		n = i + 1
	}
	if !r.owned {
		r.buf, r.owned = r.buf[:len(r.buf):len(r.buf)], true // Never write into a chunk.
	}
	r.buf = append(r.buf, r.rest[:n]...)
	r.rest = r.rest[n:]
}

// Close closes the underlying reader.
func (r *LineReader) Close() error { return r.chunks.Close() }

// parseDoc extracts the UUID of a document line. Raw is line itself, not a copy: lines are slices
// of chunks that are never reused.
func parseDoc(line []byte) (ReadDoc, error) {
	raw, err := metaUUID(line)
	if err != nil {
		return ReadDoc{}, err
	}
	u, err := parseUUID(raw)
	if err != nil {
		return ReadDoc{}, err
	}
	return ReadDoc{UUID: u, Raw: line}, nil
}
