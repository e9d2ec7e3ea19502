package tuple

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Unpack decodes packed values: nil, bool, string, []byte, int64 (uint64 above MaxInt64),
// float32, float64 and []any for nested tuples.
func Unpack(b []byte) ([]any, error) {
	var out []any
	for pos := 0; pos < len(b); {
		v, next, err := unpackOne(b, pos, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		pos = next
	}
	return out, nil
}

func unpackOne(b []byte, pos int, nested bool) (any, int, error) {
	code := b[pos]
	switch {
	case code == codeNil:
		if nested && pos+1 < len(b) && b[pos+1] == 0xff {
			return nil, pos + 2, nil
		}
		return nil, pos + 1, nil
	case code == codeBytes || code == codeString:
		raw, next, err := unescape(b, pos+1)
		if err != nil {
			return nil, 0, err
		}
		if code == codeBytes {
			return raw, next, nil
		}
		return string(raw), next, nil
	case code == codeNested:
		items := []any{}
		for p := pos + 1; ; {
			if p >= len(b) {
				return nil, 0, fmt.Errorf("tuple: nested tuple starting at byte %d is not terminated", pos)
			}
			if b[p] == 0x00 && (p+1 >= len(b) || b[p+1] != 0xff) {
				return items, p + 1, nil
			}
			v, next, err := unpackOne(b, p, true)
			if err != nil {
				return nil, 0, err
			}
			items = append(items, v)
			p = next
		}
	case code >= codeNegIntMax && code <= codePosIntMax:
		return unpackInt(b, pos)
	case code == codeFloat:
		if pos+5 > len(b) {
			return nil, 0, fmt.Errorf("tuple: float at byte %d needs 4 bytes", pos)
		}
		bits := binary.BigEndian.Uint32(b[pos+1:])
		if bits&(1<<31) != 0 {
			bits &^= 1 << 31
		} else {
			bits = ^bits
		}
		return math.Float32frombits(bits), pos + 5, nil
	case code == codeDouble:
		if pos+9 > len(b) {
			return nil, 0, fmt.Errorf("tuple: double at byte %d needs 8 bytes", pos)
		}
		bits := binary.BigEndian.Uint64(b[pos+1:])
		if bits&(1<<63) != 0 {
			bits &^= 1 << 63
		} else {
			bits = ^bits
		}
		return math.Float64frombits(bits), pos + 9, nil
	case code == codeFalse:
		return false, pos + 1, nil
	case code == codeTrue:
		return true, pos + 1, nil
	}
	return nil, 0, fmt.Errorf("tuple: unsupported type code 0x%02x at byte %d", code, pos)
}

func unpackInt(b []byte, pos int) (any, int, error) {
	code := int(b[pos])
	n := code - codeIntZero
	neg := n < 0
	if neg {
		n = -n
	}
	if pos+1+n > len(b) {
		return nil, 0, fmt.Errorf("tuple: integer at byte %d needs %d bytes", pos, n)
	}
	var u uint64
	for _, c := range b[pos+1 : pos+1+n] {
		u = u<<8 | uint64(c)
	}
	next := pos + 1 + n
	if !neg {
		if u > math.MaxInt64 {
			return u, next, nil
		}
		return int64(u), next, nil
	}
	mag := ^u
	if n < 8 {
		mag &= 1<<(8*n) - 1
	}
	if mag > 1<<63 {
		return nil, 0, fmt.Errorf("tuple: negative integer at byte %d is below the int64 range", pos)
	}
	return -int64(mag-1) - 1, next, nil
}

func unescape(b []byte, pos int) ([]byte, int, error) {
	out := []byte{}
	for i := pos; i < len(b); i++ {
		if b[i] != 0x00 {
			out = append(out, b[i])
			continue
		}
		if i+1 < len(b) && b[i+1] == 0xff {
			out = append(out, 0x00)
			i++
			continue
		}
		return out, i + 1, nil
	}
	return nil, 0, fmt.Errorf("tuple: string or bytes starting at byte %d is not terminated", pos-1)
}
