package node

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// decoder is the state Arena.Decode reuses from one document to the next, so that decoding
// allocates nothing but arena memory.
type decoder struct {
	Lexer
	// Items and fields of the arrays and objects being read, shared by all levels: a container's
	// children are collected here and copied into the arena once, when it closes and its size is
	// known.
	items  []Node
	fields []pendingField
}

// pendingField is a property read but not yet sorted into its object. Its name's first eight
// bytes, big-endian, order most names with one integer comparison. It holds no Go pointers, so
// sorting moves it without write barriers.
type pendingField struct {
	prefix uint64
	field  Field
}

func (a *Arena) compareNames(p, q *pendingField) int {
	if p.prefix != q.prefix {
		return cmp.Compare(p.prefix, q.prefix)
	}
	return strings.Compare(a.Str(p.field.Name), a.Str(q.field.Name))
}

func namePrefix(name []byte) uint64 {
	if len(name) >= 8 {
		return binary.BigEndian.Uint64(name)
	}
	var b [8]byte
	copy(b[:], name)
	return binary.BigEndian.Uint64(b[:])
}

// Decode parses exactly one JSON value into the arena. It accepts what doc.Decode (and
// encoding/json) accept and reads strings as they do: invalid UTF-8 and lone surrogates become
// U+FFFD, and the last of duplicate properties wins. Numbers are classified by ParseNumber; one
// beyond f64's range is an error, as serde_json's. On error the arena may hold unreachable parts
// of the document until Reset.
func (a *Arena) Decode(b []byte) (Node, error) {
	d := &a.dec
	d.Reset(b)
	d.items, d.fields = d.items[:0], d.fields[:0]
	n, err := a.decode(d)
	d.Data = nil // do not keep the caller's buffer
	return n, err
}

func (a *Arena) decode(d *decoder) (Node, error) {
	if err := d.Start(); err != nil {
		return Node{}, err
	}
	n, err := a.value(d)
	if err != nil {
		return Node{}, err
	}
	return n, d.Finish()
}

func (a *Arena) value(d *decoder) (Node, error) {
	if d.Pos >= len(d.Data) {
		return Node{}, d.Fail("a value")
	}
	switch c := d.Data[d.Pos]; c {
	case '"':
		s, err := d.String()
		if err != nil {
			return Node{}, err
		}
		return a.BytesNode(s), nil
	case '{':
		return a.object(d)
	case '[':
		return a.array(d)
	case 't':
		return TrueNode, d.Literal("true")
	case 'f':
		return FalseNode, d.Literal("false")
	case 'n':
		return NullNode, d.Literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			return d.number()
		}
	}
	return Node{}, d.Fail("a value")
}

func (d *decoder) number() (Node, error) {
	start := d.Pos
	lit, err := d.Number()
	if err != nil {
		return Node{}, err
	}
	n := ParseNumber(unsafe.String(unsafe.SliceData(lit), len(lit)))
	if n.kind == Float && math.IsInf(n.Float(), 0) {
		return Node{}, fmt.Errorf("invalid JSON: number out of range at byte %d", start)
	}
	return n, nil
}

func (a *Arena) array(d *decoder) (Node, error) {
	if err := d.Enter(); err != nil {
		return Node{}, err
	}
	if d.Empty(']') {
		return Node{kind: Array}, nil
	}
	base := len(d.items)
	for {
		v, err := a.value(d)
		if err != nil {
			return Node{}, err
		}
		d.items = append(d.items, v)
		more, err := d.Next(']')
		if err != nil {
			return Node{}, err
		}
		if !more {
			break
		}
	}
	arr, items := a.allocArray(len(d.items) - base)
	copy(items, d.items[base:])
	d.items = d.items[:base]
	return arr, nil
}

func (a *Arena) object(d *decoder) (Node, error) {
	if err := d.Enter(); err != nil {
		return Node{}, err
	}
	if d.Empty('}') {
		return Node{kind: Object}, nil
	}
	base := len(d.fields)
	for {
		name, err := d.Name()
		if err != nil {
			return Node{}, err
		}
		nameNode := a.BytesNode(name)
		prefix := namePrefix(name)
		v, err := a.value(d)
		if err != nil {
			return Node{}, err
		}
		d.fields = append(d.fields, pendingField{prefix: prefix, field: Field{Name: nameNode, Value: v}})
		more, err := d.Next('}')
		if err != nil {
			return Node{}, err
		}
		if !more {
			break
		}
	}
	pending := a.sortFields(d.fields[base:])
	obj, fields := a.allocObject(len(pending))
	for i := range pending {
		fields[i] = pending[i].field
	}
	d.fields = d.fields[:base]
	return obj, nil
}

// sortFields sorts fields by name and keeps the last of each name, as a JSON object read in
// document order keeps it.
func (a *Arena) sortFields(fields []pendingField) []pendingField {
	if len(fields) <= 16 {
		// Insertion sort: stable, and fastest for the few, often nearly sorted, fields of a
		// document's object.
		for i := 1; i < len(fields); i++ {
			if a.compareNames(&fields[i-1], &fields[i]) <= 0 {
				continue
			}
			f := fields[i]
			j := i
			for ; j > 0 && a.compareNames(&fields[j-1], &f) > 0; j-- {
				fields[j] = fields[j-1]
			}
			fields[j] = f
		}
	} else {
		slices.SortStableFunc(fields, func(x, y pendingField) int { return a.compareNames(&x, &y) })
	}
	unique := fields[:0]
	for i := range fields {
		if i+1 < len(fields) && a.compareNames(&fields[i], &fields[i+1]) == 0 {
			continue // a later property of this name follows
		}
		unique = append(unique, fields[i])
	}
	return unique
}
