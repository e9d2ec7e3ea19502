package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Reading a journal extracts /_meta/uuid from every document, so it must not decode the line. One
// pass both checks the line as json.Valid does (same grammar, control bytes refused in strings,
// UTF-8 not checked, at most 10,000 nested arrays and objects) and notes where the UUID is: only
// the members of the top-level object and of its "_meta" object are looked at. Keys match exactly,
// as Flow's JSON pointers do, and the last of duplicate keys wins, as in serde_json and
// encoding/json. A line found invalid is handed to encoding/json, only for its message.

var (
	errNoUUID        = errors.New("document has no /_meta/uuid")
	errUUIDNotString = errors.New("/_meta/uuid of the document is not a string")
)

// maxNesting is encoding/json's limit of nested arrays and objects.
const maxNesting = 10000

// metaUUID returns the /_meta/uuid string of a JSON document line, unquoted.
func metaUUID(line []byte) ([]byte, error) {
	s := uuidScanner{data: line, err: errNoUUID}
	s.space()
	ok := false
	if s.at('{') {
		ok = s.object(levelTop)
	} else {
		ok = s.value()
	}
	if s.space(); !ok || s.pos != len(s.data) {
		var v any
		err := json.Unmarshal(line, &v) // Only for its message, which says what is wrong where.
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	if s.err != nil {
		return nil, s.err
	}
	if isPlainASCII(s.uuid) {
		return s.uuid[1 : len(s.uuid)-1], nil
	}
	var str string // Escapes and other bytes decode as in encoding/json (invalid UTF-8 as U+FFFD).
	if err := json.Unmarshal(s.uuid, &str); err != nil {
		return nil, err
	}
	return []byte(str), nil
}

// keyIs compares a raw JSON string (with its quotes) to want, decoding escapes only when present.
func keyIs(raw []byte, want string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == want
	}
	var key string
	return json.Unmarshal(raw, &key) == nil && key == want
}

func isPlainASCII(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// objectLevel is where an object is: whose members may hold the UUID.
type objectLevel uint8

const (
	levelTop   objectLevel = iota // The document: its "_meta" member is looked into.
	levelMeta                     // The document's "_meta": its "uuid" member is the UUID.
	levelOther                    // Anywhere else: only checked.
)

// uuidScanner checks a line as JSON and keeps the last /_meta/uuid it passes. Its methods return
// false at the first byte that is not valid JSON.
type uuidScanner struct {
	data  []byte
	pos   int
	depth int
	uuid  []byte // The raw string of the last /_meta/uuid, with its quotes, when err is nil.
	err   error  // errNoUUID or errUUIDNotString as of the members passed so far.
}

func (s *uuidScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

func (s *uuidScanner) at(c byte) bool { return s.pos < len(s.data) && s.data[s.pos] == c }

// value checks the value at pos and moves past it.
func (s *uuidScanner) value() bool {
	if s.pos >= len(s.data) {
		return false
	}
	switch c := s.data[s.pos]; c {
	case '"':
		_, ok := s.str()
		return ok
	case '{':
		return s.object(levelOther)
	case '[':
		return s.array()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return s.number()
		}
		return false
	}
}

// nest enters an array or object, within encoding/json's depth limit.
func (s *uuidScanner) nest() bool {
	s.depth++
	s.pos++
	return s.depth <= maxNesting
}

// object checks the object at pos, noting the UUID among its members as its level says.
func (s *uuidScanner) object(level objectLevel) bool {
	if !s.nest() {
		return false
	}
	if s.space(); s.at('}') {
		s.pos++
		s.depth--
		return true
	}
	for {
		if !s.at('"') {
			return false
		}
		key, ok := s.str()
		if !ok {
			return false
		}
		if s.space(); !s.at(':') {
			return false
		}
		s.pos++
		s.space()
		switch {
		case level == levelTop && keyIs(key, "_meta"):
			s.uuid, s.err = nil, errNoUUID // A later _meta replaces an earlier one.
			if s.at('{') {
				ok = s.object(levelMeta)
			} else {
				ok = s.value()
			}
		case level == levelMeta && keyIs(key, "uuid"):
			if s.at('"') {
				s.uuid, ok = s.str()
				s.err = nil
			} else {
				s.uuid, s.err = nil, errUUIDNotString
				ok = s.value()
			}
		default:
			ok = s.value()
		}
		if !ok {
			return false
		}
		if more, ok := s.separator('}'); !more {
			return ok
		}
	}
}

func (s *uuidScanner) array() bool {
	if !s.nest() {
		return false
	}
	if s.space(); s.at(']') {
		s.pos++
		s.depth--
		return true
	}
	for {
		if !s.value() {
			return false
		}
		if more, ok := s.separator(']'); !more {
			return ok
		}
	}
}

// separator reads what follows a member or an item: a comma (more follows, ok) or the container's
// closing byte (none follows, ok); anything else is not JSON.
func (s *uuidScanner) separator(closing byte) (more, ok bool) {
	s.space()
	if s.pos >= len(s.data) {
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.space()
		return true, true
	case closing:
		s.pos++
		s.depth--
		return false, true
	}
	return false, false
}

// strPlain marks the bytes that a string's content may hold without a closer look: not a quote, a
// backslash or a control byte. Bytes from 0x80 pass unchecked, as in json.Valid.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str checks the string at pos and returns it raw, with its quotes.
func (s *uuidScanner) str() ([]byte, bool) {
	start := s.pos
	s.pos++
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if strPlain[c] {
			s.pos++
			continue
		}
		switch c {
		case '"':
			s.pos++
			return s.data[start:s.pos], true
		case '\\':
			if s.pos+1 >= len(s.data) {
				return nil, false
			}
			switch s.data[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.data) {
					return nil, false
				}
				for _, h := range s.data[s.pos+2 : s.pos+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false
					}
				}
				s.pos += 6
			default:
				return nil, false
			}
		default: // A control byte.
			return nil, false
		}
	}
	return nil, false
}

func (s *uuidScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		return false
	}
	s.pos += len(word)
	return true
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at pos.
func (s *uuidScanner) number() bool {
	if s.at('-') {
		s.pos++
	}
	switch {
	case s.at('0'):
		s.pos++
	case s.digits() == 0:
		return false
	}
	if s.at('.') {
		s.pos++
		if s.digits() == 0 {
			return false
		}
	}
	if s.at('e') || s.at('E') {
		s.pos++
		if s.at('+') || s.at('-') {
			s.pos++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

// digits moves past a run of decimal digits and returns its length.
func (s *uuidScanner) digits() int {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos - start
}
