package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Reading a journal extracts /_meta/uuid from every document. Decoding each line with encoding/json
// costs more than everything else on the read path, so the line is checked with json.Valid (which
// allocates nothing) and then walked without decoding: only the members of the top-level object and
// of its "_meta" object are looked at, other values are skipped. Keys match exactly, as Flow's JSON
// pointers do, and the last of duplicate keys wins, as in serde_json and encoding/json.

var (
	errNoUUID        = errors.New("document has no /_meta/uuid")
	errUUIDNotString = errors.New("/_meta/uuid of the document is not a string")
)

// metaUUID returns the /_meta/uuid string of a JSON document line, unquoted.
func metaUUID(line []byte) ([]byte, error) {
	if !json.Valid(line) {
		var v any
		err := json.Unmarshal(line, &v) // Only for its message, which says what is wrong where.
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	w := jsonWalker{data: line}
	w.space()
	if !w.at('{') {
		return nil, errNoUUID
	}
	var uuid []byte
	err := errNoUUID
	w.members(func(key []byte) {
		if !keyIs(key, "_meta") {
			w.skipValue()
			return
		}
		uuid, err = nil, errNoUUID // A later _meta replaces an earlier one.
		if !w.at('{') {
			w.skipValue()
			return
		}
		w.members(func(key []byte) {
			if !keyIs(key, "uuid") {
				w.skipValue()
				return
			}
			if !w.at('"') {
				uuid, err = nil, errUUIDNotString
				w.skipValue()
				return
			}
			uuid, err = w.stringValue()
		})
	})
	return uuid, err
}

// keyIs compares a raw JSON string (with its quotes) to want, decoding escapes only when present.
func keyIs(raw []byte, want string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == want
	}
	var key string
	return json.Unmarshal(raw, &key) == nil && key == want
}

// jsonWalker moves through a document already known to be valid JSON.
type jsonWalker struct {
	data []byte
	pos  int
}

func (w *jsonWalker) space() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\r', '\n':
			w.pos++
		default:
			return
		}
	}
}

func (w *jsonWalker) at(c byte) bool { return w.pos < len(w.data) && w.data[w.pos] == c }

// members calls member with each raw key of the object at pos, positioned at its value; member
// must move past the value.
func (w *jsonWalker) members(member func(key []byte)) {
	w.pos++ // The '{'.
	for {
		w.space()
		if w.pos >= len(w.data) || w.data[w.pos] == '}' {
			w.pos++
			return
		}
		if w.data[w.pos] == ',' {
			w.pos++
			w.space()
		}
		key := w.rawString()
		w.space()
		w.pos++ // The ':'.
		w.space()
		member(key)
	}
}

// rawString returns the string at pos with its quotes, and moves past it.
func (w *jsonWalker) rawString() []byte {
	start := w.pos
	w.pos++
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '\\':
			w.pos += 2
		case '"':
			w.pos++
			return w.data[start:w.pos]
		default:
			w.pos++
		}
	}
	return w.data[start:]
}

// stringValue returns the string at pos unquoted: a slice of the document when it is plain ASCII.
// Escapes and other bytes are decoded as encoding/json does (invalid UTF-8 becomes U+FFFD).
func (w *jsonWalker) stringValue() ([]byte, error) {
	raw := w.rawString()
	if isPlainASCII(raw) {
		return raw[1 : len(raw)-1], nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// skipValue moves past the value at pos.
func (w *jsonWalker) skipValue() {
	depth := 0
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '"':
			w.rawString()
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return // The end of the enclosing object: a scalar ended here.
			}
			depth--
			if depth == 0 {
				w.pos++
				return
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return
			}
		}
		w.pos++
	}
}

func isPlainASCII(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
