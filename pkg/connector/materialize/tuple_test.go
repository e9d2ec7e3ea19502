package materialize

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestUnpackTuple(t *testing.T) {
	cases := []struct {
		name    string
		packed  []byte
		want    []any
		wantErr string
	}{
		{"string", []byte("\x02hello\x00"), []any{"hello"}, ""},
		{"string with a zero byte", []byte("\x02a\x00\xffb\x00"), []any{"a\x00b"}, ""},
		{"null true false", []byte{0x00, 0x27, 0x26}, []any{nil, true, false}, ""},
		{"zero", []byte{0x14}, []any{int64(0)}, ""},
		{"small ints", []byte{0x15, 0x2a, 0x13, 0xfe}, []any{int64(42), int64(-1)}, ""},
		{"two-byte ints", []byte{0x16, 0x01, 0x00, 0x12, 0xfe, 0xff}, []any{int64(256), int64(-256)}, ""},
		{"max uint64", append([]byte{0x1c}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), []any{uint64(math.MaxUint64)}, ""},
		{"min int64", append([]byte{0x0c}, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), []any{int64(math.MinInt64)}, ""},
		{"double", []byte{0x21, 0xc0, 0x09, 0x21, 0xf9, 0xf0, 0x1b, 0x86, 0x6e}, []any{3.14159}, ""},
		{"negative double", []byte{0x21, 0x3f, 0xf6, 0xde, 0x06, 0x0f, 0xe4, 0x79, 0x91}, []any{-3.14159}, ""},
		{"JSON as bytes", []byte("\x01{\"a\":1}\x00"), []any{json.RawMessage(`{"a":1}`)}, ""},
		{"flow's store key (true, null)", []byte{0x27, 0x00}, []any{true, nil}, ""},
		{"unterminated string", []byte("\x02abc"), nil, "unterminated string"},
		{"truncated int", []byte{0x16, 0x01}, nil, "truncated integer"},
		{"truncated double", []byte{0x21, 0x01}, nil, "truncated double"},
		{"unknown code", []byte{0x05}, nil, "unsupported type code 0x05"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := unpackTuple(c.packed)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, c.want)
			}
		})
	}
}

func FuzzUnpackTuple(f *testing.F) {
	f.Add([]byte("\x02hello\x00\x15\x2a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := unpackTuple(b)
		if err == nil && len(b) > 0 && len(vals) == 0 {
			t.Fatal("non-empty input decoded to no values")
		}
	})
}
