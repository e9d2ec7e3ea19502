package doc

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// decoder parses JSON into exactly the values encoding/json produces with UseNumber (the
// differential fuzz test holds it to that): invalid UTF-8 and lone surrogates become U+FFFD, the
// last of duplicate keys wins, empty arrays and objects are non-nil, and at most maxDepth
// containers nest. It takes about half the time of encoding/json's reflection-driven decoder
// (BenchmarkDecode, docs/performance.md), which was a large share of the combiner's cost.
type decoder struct {
	data  []byte
	pos   int
	depth int
	items []any    // array items and object values being collected, shared by all levels
	names []string // object keys being collected
	buf   []byte   // a string with escapes or invalid UTF-8, being unescaped
	// keys interns object keys: documents of one collection repeat the same few names.
	keys map[string]string
}

// maxDepth is encoding/json's nesting limit, so both accept the same documents.
const maxDepth = 10000

// Interned keys are bounded so that documents with arbitrary keys cannot grow the cache.
const (
	maxInterned   = 4096
	maxInternSize = 64
)

var decoders = sync.Pool{New: func() any { return &decoder{keys: map[string]string{}} }}

var errNothing = errors.New("expected a JSON value, found nothing")

// Decode parses exactly one JSON value, keeping numbers as json.Number.
func Decode(b []byte) (any, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.data, d.pos, d.depth = b, 0, 0
	defer func() { d.data = nil }()

	d.skipSpace()
	if d.pos == len(d.data) {
		return nil, errNothing
	}
	v, err := d.value()
	if err != nil {
		clear(d.items) // drop references to a half-parsed document
		d.items, d.names = d.items[:0], d.names[:0]
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, fmt.Errorf("invalid JSON: unexpected data after the value at byte %d", d.pos)
	}
	return v, nil
}

func (d *decoder) fail(what string) error {
	if d.pos >= len(d.data) {
		return fmt.Errorf("invalid JSON: unexpected end of input, expected %s", what)
	}
	return fmt.Errorf("invalid JSON: unexpected %q at byte %d, expected %s", d.data[d.pos], d.pos, what)
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.fail("a value")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str(false)
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	}
	return nil, d.fail("a value")
}

func (d *decoder) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if d.pos >= len(d.data) || d.data[d.pos] != word[i] {
			return d.fail(fmt.Sprintf("%q", word))
		}
		d.pos++
	}
	return nil
}

// enter and leave count nesting, refusing what encoding/json refuses.
func (d *decoder) enter() error {
	if d.depth++; d.depth > maxDepth {
		return fmt.Errorf("invalid JSON: nested deeper than %d arrays and objects at byte %d", maxDepth, d.pos)
	}
	d.pos++ // the opening bracket
	d.skipSpace()
	return nil
}

func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	base := len(d.items)
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return []any{}, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, v)
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == ',' {
			d.pos++
			d.skipSpace()
			continue
		}
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			break
		}
		return nil, d.fail("',' or ']'")
	}
	d.depth--
	out := slices.Clone(d.items[base:])
	clear(d.items[base:])
	d.items = d.items[:base]
	return out, nil
}

func (d *decoder) object() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	base := len(d.items)
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]any{}, nil
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.fail("a string naming a property")
		}
		key, err := d.str(true)
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.fail("':'")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.names = append(d.names, key.(string))
		d.items = append(d.items, v)
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == ',' {
			d.pos++
			d.skipSpace()
			continue
		}
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			break
		}
		return nil, d.fail("',' or '}'")
	}
	d.depth--
	// Sized once, filled in document order so that the last of duplicate keys wins.
	names := d.names[len(d.names)-(len(d.items)-base):]
	out := make(map[string]any, len(names))
	for i, k := range names {
		out[k] = d.items[base+i]
	}
	clear(d.items[base:])
	d.items, d.names = d.items[:base], d.names[:len(d.names)-len(names)]
	return out, nil
}
