package postgres

import (
	"encoding/binary"
	"fmt"
)

// This file decodes the pgoutput logical replication protocol, version 1: the messages PostgreSQL
// sends inside XLogData for a publication. Only what a capture needs is kept.

// lsn is a PostgreSQL write-ahead log position.
type lsn uint64

func (l lsn) String() string { return fmt.Sprintf("%X/%X", uint32(l>>32), uint32(l)) }

// parseLSN reads the "XXX/XXX" form PostgreSQL prints.
func parseLSN(s string) (lsn, error) {
	var hi, lo uint32
	if _, err := fmt.Sscanf(s, "%X/%X", &hi, &lo); err != nil {
		return 0, fmt.Errorf("invalid LSN %q: want the form 16/B374D848", s)
	}
	return lsn(uint64(hi)<<32 | uint64(lo)), nil
}

// relationColumn describes one column of a replicated table.
type relationColumn struct {
	name    string
	typeOID uint32
	isKey   bool
}

// relationMsg ('R') describes a table before the first change to it in a session, and again after DDL.
type relationMsg struct {
	id        uint32
	namespace string
	name      string
	columns   []relationColumn
}

// beginMsg ('B') opens a transaction.
type beginMsg struct {
	finalLSN   lsn
	commitTime int64 // microseconds since 2000-01-01 UTC
	xid        uint32
}

// commitMsg ('C') closes a transaction. endLSN is where a resumed stream picks up after it.
type commitMsg struct {
	commitLSN lsn
	endLSN    lsn
}

// tupleValue is one column of a row image.
type tupleValue struct {
	kind byte // 'n' null, 'u' unchanged TOASTed value (not sent), 't' text
	text []byte
}

// changeMsg is an insert ('I'), update ('U') or delete ('D'). An update carries the old key ('K') or
// old row ('O') when the key changed or the table's replica identity is FULL; a delete carries one of them.
type changeMsg struct {
	op         byte
	relationID uint32
	oldKind    byte // 0, 'K' or 'O'
	old        []tupleValue
	new        []tupleValue
}

// truncateMsg ('T') empties tables.
type truncateMsg struct {
	relationIDs []uint32
}

// decodePgoutput decodes one pgoutput message. It returns nil for message kinds a capture ignores
// (origin, type). Malformed input is an error, never a panic.
func decodePgoutput(data []byte) (any, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("empty pgoutput message")
	}
	r := &reader{buf: data[1:]}
	var msg any
	switch data[0] {
	case 'B':
		m := beginMsg{finalLSN: lsn(r.u64()), commitTime: int64(r.u64())}
		m.xid = r.u32()
		msg = m
	case 'C':
		r.u8() // flags
		msg = commitMsg{commitLSN: lsn(r.u64()), endLSN: lsn(r.u64())}
		r.u64() // commit timestamp
	case 'R':
		m := relationMsg{id: r.u32(), namespace: r.cstring(), name: r.cstring()}
		r.u8() // replica identity setting
		n := int(r.u16())
		for i := 0; i < n && r.err == nil; i++ {
			flags := r.u8()
			col := relationColumn{name: r.cstring(), isKey: flags&1 == 1}
			col.typeOID = r.u32()
			r.u32() // type modifier
			m.columns = append(m.columns, col)
		}
		msg = m
	case 'I':
		m := changeMsg{op: 'I', relationID: r.u32()}
		r.expect('N')
		m.new = r.tuple()
		msg = m
	case 'U':
		m := changeMsg{op: 'U', relationID: r.u32()}
		if kind := r.u8(); kind == 'K' || kind == 'O' {
			m.oldKind, m.old = kind, r.tuple()
			r.expect('N')
		} else if kind != 'N' {
			r.fail("update: unexpected tuple kind %q", kind)
		}
		m.new = r.tuple()
		msg = m
	case 'D':
		m := changeMsg{op: 'D', relationID: r.u32()}
		if kind := r.u8(); kind == 'K' || kind == 'O' {
			m.oldKind, m.old = kind, r.tuple()
		} else {
			r.fail("delete: unexpected tuple kind %q", kind)
		}
		msg = m
	case 'T':
		n := int(r.u32())
		r.u8() // options
		m := truncateMsg{}
		for i := 0; i < n && r.err == nil; i++ {
			m.relationIDs = append(m.relationIDs, r.u32())
		}
		msg = m
	case 'O', 'Y', 'M':
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown pgoutput message type %q", data[0])
	}
	if r.err != nil {
		return nil, fmt.Errorf("malformed pgoutput %q message: %w", data[0], r.err)
	}
	return msg, nil
}

// reader consumes big-endian fields, remembering the first error so decoders stay linear.
type reader struct {
	buf []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.buf) < n {
		r.fail("truncated: need %d bytes, %d left", n, len(r.buf))
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *reader) expect(kind byte) {
	if got := r.u8(); r.err == nil && got != kind {
		r.fail("expected tuple kind %q, got %q", kind, got)
	}
}

func (r *reader) cstring() string {
	if r.err != nil {
		return ""
	}
	for i, c := range r.buf {
		if c == 0 {
			s := string(r.buf[:i])
			r.buf = r.buf[i+1:]
			return s
		}
	}
	r.fail("unterminated string")
	return ""
}

func (r *reader) tuple() []tupleValue {
	n := int(r.u16())
	if r.err != nil {
		return nil
	}
	// Each column takes at least one byte, which bounds the allocation for hostile input.
	if n > len(r.buf) {
		r.fail("tuple claims %d columns in %d bytes", n, len(r.buf))
		return nil
	}
	values := make([]tupleValue, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		v := tupleValue{kind: r.u8()}
		switch v.kind {
		case 'n', 'u':
		case 't', 'b':
			v.text = r.take(int(r.u32()))
		default:
			r.fail("unknown column kind %q", v.kind)
		}
		values = append(values, v)
	}
	return values
}
