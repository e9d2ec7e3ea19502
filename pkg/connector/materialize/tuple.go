package materialize

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
)

// unpackTuple decodes a FoundationDB tuple, the packed form of keys and values in Load and Store.
// Flow packs JSON arrays and objects as byte strings of their JSON text, which are returned as
// json.RawMessage. Integers come back as int64, or uint64 beyond int64, or *big.Int beyond that.
func unpackTuple(b []byte) ([]any, error) {
	var out []any
	for i := 0; i < len(b); {
		v, n, err := unpackElement(b[i:])
		if err != nil {
			return nil, fmt.Errorf("packed tuple at byte %d: %w", i, err)
		}
		out = append(out, v)
		i += n
	}
	return out, nil
}

func unpackElement(b []byte) (any, int, error) {
	code := b[0]
	switch {
	case code == 0x00:
		return nil, 1, nil
	case code == 0x01 || code == 0x02:
		s, n, err := unpackString(b[1:])
		if err != nil {
			return nil, 0, err
		}
		if code == 0x01 {
			return json.RawMessage(s), n + 1, nil
		}
		return string(s), n + 1, nil
	case code >= 0x0c && code <= 0x1c:
		return unpackInt(b)
	case code == 0x21:
		if len(b) < 9 {
			return nil, 0, fmt.Errorf("truncated double")
		}
		bits := binary.BigEndian.Uint64(b[1:9])
		if bits&(1<<63) != 0 {
			bits ^= 1 << 63 // positive: only the sign bit was flipped
		} else {
			bits = ^bits // negative: every bit was flipped
		}
		return math.Float64frombits(bits), 9, nil
	case code == 0x26:
		return false, 1, nil
	case code == 0x27:
		return true, 1, nil
	default:
		return nil, 0, fmt.Errorf("unsupported type code 0x%02x", code)
	}
}

// unpackString reads bytes up to the 0x00 terminator, where 0x00 0xff is an escaped zero byte.
func unpackString(b []byte) ([]byte, int, error) {
	var out []byte
	for i := 0; i < len(b); i++ {
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
	return nil, 0, fmt.Errorf("unterminated string")
}

func unpackInt(b []byte) (any, int, error) {
	code := int(b[0])
	size := code - 0x14
	neg := size < 0
	if neg {
		size = -size
	}
	if len(b) < 1+size {
		return nil, 0, fmt.Errorf("truncated integer")
	}
	mag := b[1 : 1+size]
	if size > 8 {
		return nil, 0, fmt.Errorf("integer of %d bytes is too large", size)
	}
	var buf [8]byte
	copy(buf[8-size:], mag)
	u := binary.BigEndian.Uint64(buf[:])
	if !neg {
		if u > math.MaxInt64 {
			return u, 1 + size, nil
		}
		return int64(u), 1 + size, nil
	}
	// Negative integers are stored as the one's complement of their magnitude within size bytes.
	var max uint64 = math.MaxUint64
	if size < 8 {
		max = 1<<(8*size) - 1
	}
	magnitude := max - u
	if magnitude <= 1<<63 {
		return -int64(magnitude-1) - 1, 1 + size, nil
	}
	return new(big.Int).Neg(new(big.Int).SetUint64(magnitude)), 1 + size, nil
}
