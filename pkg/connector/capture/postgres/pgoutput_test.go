package postgres

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// msgBuilder writes pgoutput fields big-endian, as PostgreSQL sends them.
type msgBuilder []byte

func (b msgBuilder) u8(v byte) msgBuilder     { return append(b, v) }
func (b msgBuilder) u16(v uint16) msgBuilder  { return binary.BigEndian.AppendUint16(b, v) }
func (b msgBuilder) u32(v uint32) msgBuilder  { return binary.BigEndian.AppendUint32(b, v) }
func (b msgBuilder) u64(v uint64) msgBuilder  { return binary.BigEndian.AppendUint64(b, v) }
func (b msgBuilder) str(s string) msgBuilder  { return append(append(b, s...), 0) }
func (b msgBuilder) text(s string) msgBuilder { return append(b.u8('t').u32(uint32(len(s))), s...) }

func TestDecodePgoutput(t *testing.T) {
	relation := msgBuilder{'R'}.u32(16384).str("public").str("users").u8('d').u16(2).
		u8(1).str("id").u32(20).u32(0xffffffff).
		u8(0).str("name").u32(25).u32(0xffffffff)
	cases := []struct {
		name string
		in   []byte
		want any
	}{
		{"begin", msgBuilder{'B'}.u64(0x1_0000_0010).u64(99).u32(7), beginMsg{finalLSN: 0x1_0000_0010, commitTime: 99, xid: 7}},
		{"commit", msgBuilder{'C'}.u8(0).u64(0x20).u64(0x28).u64(0), commitMsg{commitLSN: 0x20, endLSN: 0x28}},
		{"relation", relation, relationMsg{id: 16384, namespace: "public", name: "users", columns: []relationColumn{
			{name: "id", typeOID: 20, isKey: true}, {name: "name", typeOID: 25}}}},
		{"insert", msgBuilder{'I'}.u32(16384).u8('N').u16(2).text("1").u8('n'),
			changeMsg{op: 'I', relationID: 16384, new: []tupleValue{{kind: 't', text: []byte("1")}, {kind: 'n'}}}},
		{"update without old", msgBuilder{'U'}.u32(1).u8('N').u16(1).u8('u'),
			changeMsg{op: 'U', relationID: 1, new: []tupleValue{{kind: 'u'}}}},
		{"update with old key", msgBuilder{'U'}.u32(1).u8('K').u16(1).text("a").u8('N').u16(1).text("b"),
			changeMsg{op: 'U', relationID: 1, oldKind: 'K', old: []tupleValue{{kind: 't', text: []byte("a")}},
				new: []tupleValue{{kind: 't', text: []byte("b")}}}},
		{"delete", msgBuilder{'D'}.u32(1).u8('K').u16(1).text("9"),
			changeMsg{op: 'D', relationID: 1, oldKind: 'K', old: []tupleValue{{kind: 't', text: []byte("9")}}}},
		{"truncate", msgBuilder{'T'}.u32(2).u8(0).u32(5).u32(6), truncateMsg{relationIDs: []uint32{5, 6}}},
		{"origin is ignored", msgBuilder{'O'}.u64(1).str("x"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodePgoutput(tc.in)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestDecodePgoutputErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty pgoutput message"},
		{"unknown kind", []byte{'Z'}, "unknown pgoutput message type 'Z'"},
		{"truncated begin", msgBuilder{'B'}.u64(1), "truncated"},
		{"unterminated name", msgBuilder{'R'}.u32(1).u8('p'), "unterminated string"},
		{"insert without new tuple", msgBuilder{'I'}.u32(1).u8('K').u16(0), "expected tuple kind 'N'"},
		{"delete without old tuple", msgBuilder{'D'}.u32(1).u8('N').u16(0), "unexpected tuple kind 'N'"},
		{"bad column kind", msgBuilder{'I'}.u32(1).u8('N').u16(1).u8('x'), "unknown column kind 'x'"},
		{"huge column count", msgBuilder{'I'}.u32(1).u8('N').u16(60000), "claims 60000 columns"},
		{"value past the end", msgBuilder{'I'}.u32(1).u8('N').u16(1).u8('t').u32(100).u8('a'), "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodePgoutput(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseLSN(t *testing.T) {
	for in, want := range map[string]lsn{"0/0": 0, "16/B374D848": 0x16_B374D848, "FFFFFFFF/FFFFFFFF": ^lsn(0)} {
		got, err := parseLSN(in)
		if err != nil || got != want {
			t.Errorf("parseLSN(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), in)
		}
	}
	if _, err := parseLSN("nope"); err == nil {
		t.Error("parseLSN accepted garbage")
	}
}

func FuzzDecodePgoutput(f *testing.F) {
	f.Add([]byte(msgBuilder{'I'}.u32(16384).u8('N').u16(2).text("1").u8('n')))
	f.Add([]byte(msgBuilder{'R'}.u32(1).str("public").str("t").u8('d').u16(1).u8(1).str("id").u32(23).u32(0)))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any input: a message or an error, never a panic.
		_, _ = decodePgoutput(data)
	})
}
