package develop

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// bodyError locates an unusable document of an ingest body.
type bodyError struct {
	Index int // 1-based document number
	Line  int // 1-based line where the document starts
	Err   error
}

func (e *bodyError) Error() string {
	return fmt.Sprintf("document %d (line %d): %v", e.Index, e.Line, e.Err)
}

func (e *bodyError) Unwrap() error { return e.Err }

// ingestDoc is one document of an ingest body and the line it starts on.
type ingestDoc struct {
	Raw  json.RawMessage
	Line int
}

// parseIngestBody splits an ingest body into documents: JSON lines, whitespace-separated JSON
// values, or JSON arrays of documents (whose elements are the documents).
func parseIngestBody(body []byte) ([]ingestDoc, error) {
	lines := lineCounter{body: body}
	dec := json.NewDecoder(bytes.NewReader(body))
	var out []ingestDoc
	next := func(start int64) error {
		line := lines.at(skipSpace(body, start))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = errors.New("the body ends inside this document")
			}
			return &bodyError{Index: len(out) + 1, Line: line, Err: fmt.Errorf("not JSON: %w", err)}
		}
		out = append(out, ingestDoc{Raw: raw, Line: line})
		return nil
	}
	for {
		start := dec.InputOffset()
		at := skipSpace(body, start)
		if at == len(body) {
			return out, nil
		}
		if body[at] != '[' {
			if err := next(start); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // the array's '['
			return nil, &bodyError{Index: len(out) + 1, Line: lines.at(at), Err: err}
		}
		for dec.More() {
			if err := next(dec.InputOffset()); err != nil {
				return nil, err
			}
		}
		if _, err := dec.Token(); err != nil { // the array's ']'
			return nil, &bodyError{Index: len(out) + 1, Line: lines.at(skipSpace(body, dec.InputOffset())),
				Err: fmt.Errorf("the array of documents is not closed: %w", err)}
		}
	}
}

// skipSpace returns the offset of the first byte at or after from that is not JSON whitespace or
// the comma between array elements.
func skipSpace(body []byte, from int64) int {
	i := int(from)
	for i < len(body) {
		switch body[i] {
		case ' ', '\t', '\r', '\n', ',':
			i++
		default:
			return i
		}
	}
	return i
}

// lineCounter maps offsets, asked in increasing order, to 1-based line numbers without rescanning.
type lineCounter struct {
	body   []byte
	offset int
	line   int // lines before offset
}

func (c *lineCounter) at(offset int) int {
	if offset > c.offset {
		c.line += bytes.Count(c.body[c.offset:offset], []byte{'\n'})
		c.offset = offset
	}
	return c.line + 1
}
