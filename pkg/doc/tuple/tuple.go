// Package tuple implements the FoundationDB tuple encoding that Flow uses for packed keys: the
// bytes of packed tuples sort in the order of their values within each type.
package tuple

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Type codes of the FoundationDB tuple layer.
const (
	codeNil       = 0x00
	codeBytes     = 0x01
	codeString    = 0x02
	codeNested    = 0x05
	codeIntZero   = 0x14
	codeNegIntMax = 0x0c // 8-byte negative integer
	codePosIntMax = 0x1c // 8-byte positive integer
	codeFloat     = 0x20
	codeDouble    = 0x21
	codeFalse     = 0x26
	codeTrue      = 0x27
)

// Pack appends the encoding of each value: nil, bool, string, []byte, int, int64, uint64,
// float32, float64, or []any (a nested tuple). Other types panic: they are programming errors.
func Pack(buf []byte, values ...any) []byte {
	for _, v := range values {
		buf = packOne(buf, v, false)
	}
	return buf
}

func packOne(buf []byte, v any, nested bool) []byte {
	switch v := v.(type) {
	case nil:
		if nested {
			return append(buf, codeNil, 0xff)
		}
		return append(buf, codeNil)
	case bool:
		if v {
			return append(buf, codeTrue)
		}
		return append(buf, codeFalse)
	case string:
		return appendEscaped(append(buf, codeString), v)
	case []byte:
		return appendEscaped(append(buf, codeBytes), string(v))
	case int:
		return PackInt(buf, int64(v))
	case int64:
		return PackInt(buf, v)
	case uint64:
		return PackUint(buf, v)
	case float32:
		bits := math.Float32bits(v)
		if bits&(1<<31) != 0 {
			bits = ^bits
		} else {
			bits |= 1 << 31
		}
		return binary.BigEndian.AppendUint32(append(buf, codeFloat), bits)
	case float64:
		return PackFloat(buf, v)
	case []any:
		buf = append(buf, codeNested)
		for _, item := range v {
			buf = packOne(buf, item, true)
		}
		return append(buf, 0x00)
	}
	panic(fmt.Sprintf("tuple.Pack: cannot pack %T", v))
}

// PackUint appends an unsigned integer.
func PackUint(buf []byte, u uint64) []byte {
	if u == 0 {
		return append(buf, codeIntZero)
	}
	n := byteLen(u)
	buf = append(buf, byte(codeIntZero+n))
	return appendBigEndian(buf, u, n)
}

// PackInt appends a signed integer. Negative values are stored as the ones' complement of their
// magnitude, so they sort below zero and by value among themselves.
func PackInt(buf []byte, i int64) []byte {
	if i >= 0 {
		return PackUint(buf, uint64(i))
	}
	mag := uint64(-(i + 1)) + 1 // |i| without overflowing at MinInt64
	n := byteLen(mag)
	buf = append(buf, byte(codeIntZero-n))
	return appendBigEndian(buf, ^mag, n)
}

// PackFloat appends a double, with the sign bit flipped (and all bits for negatives) so the
// bytes sort numerically.
func PackFloat(buf []byte, f float64) []byte {
	bits := math.Float64bits(f)
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(append(buf, codeDouble), bits)
}

// PackBytes appends a byte string.
func PackBytes(buf []byte, b []byte) []byte {
	return appendEscaped(append(buf, codeBytes), string(b))
}

// PackString appends a UTF-8 string.
func PackString(buf []byte, s string) []byte {
	return appendEscaped(append(buf, codeString), s)
}

func byteLen(u uint64) int {
	n := 0
	for ; u > 0; u >>= 8 {
		n++
	}
	return n
}

func appendBigEndian(buf []byte, u uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		buf = append(buf, byte(u>>(8*i)))
	}
	return buf
}

// appendEscaped writes s terminated by 0x00, with embedded NULs escaped as 00 FF.
func appendEscaped(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		buf = append(buf, s[i])
		if s[i] == 0x00 {
			buf = append(buf, 0xff)
		}
	}
	return append(buf, 0x00)
}
