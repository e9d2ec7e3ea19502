package doc

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/flowctl/flowctl/pkg/node"
)

// decoder parses JSON into exactly the values encoding/json produces with UseNumber (the
// differential fuzz test holds it to that): invalid UTF-8 and lone surrogates become U+FFFD, the
// last of duplicate keys wins, empty arrays and objects are non-nil, and at most maxDepth
// containers nest. It takes about half the time of encoding/json's reflection-driven decoder
// (BenchmarkDecode, docs/performance.md). Tokens are read by node.Lexer, which node.Arena.Decode
// shares, so both decoders accept the same text and word errors alike.
type decoder struct {
	node.Lexer
	items []any    // array items and object values being collected, shared by all levels
	names []string // object keys being collected
	// keys interns object keys: documents of one collection repeat the same few names.
	keys map[string]string
}

// maxDepth is encoding/json's nesting limit, so both accept the same documents.
const maxDepth = node.MaxDepth

// Interned keys are bounded so that documents with arbitrary keys cannot grow the cache.
const (
	maxInterned   = 4096
	maxInternSize = 64
)

var decoders = sync.Pool{New: func() any { return &decoder{keys: map[string]string{}} }}

var errNothing = node.ErrNothing

// Decode parses exactly one JSON value, keeping numbers as json.Number.
func Decode(b []byte) (any, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.Reset(b)
	defer func() { d.Data = nil }()

	if err := d.Start(); err != nil {
		return nil, err
	}
	v, err := d.value()
	if err != nil {
		clear(d.items) // drop references to a half-parsed document
		d.items, d.names = d.items[:0], d.names[:0]
		return nil, err
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return v, nil
}

func (d *decoder) value() (any, error) {
	if d.Pos >= len(d.Data) {
		return nil, d.Fail("a value")
	}
	switch c := d.Data[d.Pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.String()
		if err != nil {
			return nil, err
		}
		return string(s), nil
	case c == 't':
		return true, d.Literal("true")
	case c == 'f':
		return false, d.Literal("false")
	case c == 'n':
		return nil, d.Literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		lit, err := d.Number()
		if err != nil {
			return nil, err
		}
		return json.Number(lit), nil // its text, as UseNumber keeps it
	}
	return nil, d.Fail("a value")
}

func (d *decoder) array() (any, error) {
	if err := d.Enter(); err != nil {
		return nil, err
	}
	if d.Empty(']') {
		return []any{}, nil
	}
	base := len(d.items)
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.items = append(d.items, v)
		more, err := d.Next(']')
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	out := slices.Clone(d.items[base:])
	clear(d.items[base:])
	d.items = d.items[:base]
	return out, nil
}

func (d *decoder) object() (any, error) {
	if err := d.Enter(); err != nil {
		return nil, err
	}
	if d.Empty('}') {
		return map[string]any{}, nil
	}
	base := len(d.items)
	for {
		name, err := d.Name()
		if err != nil {
			return nil, err
		}
		key := d.intern(name)
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.names = append(d.names, key)
		d.items = append(d.items, v)
		more, err := d.Next('}')
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
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

func (d *decoder) intern(b []byte) string {
	if len(b) > maxInternSize {
		return string(b)
	}
	if s, ok := d.keys[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.keys) < maxInterned {
		d.keys[s] = s
	}
	return s
}
