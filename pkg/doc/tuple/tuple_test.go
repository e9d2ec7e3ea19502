package tuple

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"sort"
	"testing"
)

func TestPackVectors(t *testing.T) {
	cases := []struct {
		values []any
		hex    string
	}{
		{[]any{true}, "27"},
		{[]any{false}, "26"},
		{[]any{nil}, "00"},
		{[]any{int64(1)}, "1501"},
		{[]any{int64(0)}, "14"},
		{[]any{int64(-1)}, "13fe"},
		{[]any{int64(256)}, "160100"},
		{[]any{uint64(math.MaxUint64)}, "1cffffffffffffffff"},
		{[]any{int64(math.MinInt64)}, "0c7fffffffffffffff"},
		{[]any{"foo"}, "02666f6f00"},
		{[]any{"foo", "bar"}, "02666f6f0002626172 00"},
		{[]any{"a\x00b"}, "026100ff6200"},
		{[]any{[]byte{0, 1}}, "0100ff0100"},
		{[]any{1.5}, "21bff8000000000000"},
		{[]any{-1.5}, "21400 7ffffffffffff"},
		{[]any{[]any{nil, int64(1)}}, "0500ff150100"},
		{[]any{int64(-256)}, "12feff"},
		{[]any{3.14159}, "21c00921f9f01b866e"},
		{[]any{-3.14159}, "213ff6de060fe47991"},
		// Flow packs a key's objects and arrays as byte strings of their JSON text.
		{[]any{[]byte(`{"a":1}`)}, "017b2261223a317d00"},
		// A materialization Store key of (true, null).
		{[]any{true, nil}, "2700"},
	}
	for _, c := range cases {
		want := bytes.ReplaceAll([]byte(c.hex), []byte(" "), nil)
		got := hex.EncodeToString(Pack(nil, c.values...))
		if got != string(want) {
			t.Errorf("Pack(%v) = %s, want %s", c.values, got, want)
			continue
		}
		back, err := Unpack(Pack(nil, c.values...))
		if err != nil || !reflect.DeepEqual(back, normalize(c.values)) {
			t.Errorf("Unpack(Pack(%v)) = %#v, %v", c.values, back, err)
		}
	}
}

// normalize maps packed Go types to what Unpack returns.
func normalize(values []any) []any {
	out := make([]any, len(values))
	for i, v := range values {
		switch v := v.(type) {
		case int:
			out[i] = int64(v)
		case []any:
			out[i] = normalize(v)
		default:
			out[i] = v
		}
	}
	return out
}

func TestPackedOrderMatchesValueOrder(t *testing.T) {
	ints := []int64{math.MinInt64, -1 << 40, -65536, -256, -255, -1, 0, 1, 255, 256, 1 << 40, math.MaxInt64}
	floats := []float64{math.Inf(-1), -1e300, -1.5, math.Copysign(0, -1), 0, 1e-300, 1.5, 1e300, math.Inf(1)}
	strs := []string{"", "\x00", "a", "a\x00", "ab", "b"}
	check := func(name string, packed [][]byte) {
		if !sort.SliceIsSorted(packed, func(i, j int) bool { return bytes.Compare(packed[i], packed[j]) < 0 }) {
			t.Errorf("%s: packed bytes are not in value order", name)
		}
	}
	var p [][]byte
	for _, i := range ints {
		p = append(p, Pack(nil, i))
	}
	check("ints", p)
	p = nil
	for _, f := range floats {
		p = append(p, Pack(nil, f))
	}
	check("floats", p)
	p = nil
	for _, s := range strs {
		p = append(p, Pack(nil, s))
	}
	check("strings", p)
}

func TestUnpackErrors(t *testing.T) {
	for _, c := range []struct{ hex, want string }{
		{"02666f", "not terminated"},
		{"15", "needs 1 bytes"},
		{"21bff8", "needs 8 bytes"},
		{"ff", "unsupported type code 0xff"},
		{"0502", "not terminated"},
	} {
		b, _ := hex.DecodeString(c.hex)
		if _, err := Unpack(b); err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("Unpack(%s) error = %v, want %q", c.hex, err, c.want)
		}
	}
}

// FuzzUnpack checks Unpack never panics, and that what it accepts packs back to bytes that
// unpack to the same values.
func FuzzUnpack(f *testing.F) {
	for _, seed := range []string{"27", "1501", "02666f6f00", "0500ff150100", "21bff8000000000000", "0c7fffffffffffffff"} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		values, err := Unpack(b)
		if err != nil {
			return
		}
		again, err := Unpack(Pack(nil, values...))
		if err != nil {
			t.Fatalf("repacked %v does not unpack: %v", values, err)
		}
		if !reflect.DeepEqual(again, values) && !hasNaN(values) {
			t.Fatalf("round trip changed %v into %v", values, again)
		}
	})
}

func hasNaN(values []any) bool {
	for _, v := range values {
		switch v := v.(type) {
		case float64:
			if math.IsNaN(v) {
				return true
			}
		case float32:
			if v != v {
				return true
			}
		case []any:
			if hasNaN(v) {
				return true
			}
		}
	}
	return false
}
