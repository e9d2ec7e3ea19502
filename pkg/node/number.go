package node

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// ParseNumber classifies a JSON number literal as Flow (serde_json 1.0.145) does: an integer
// literal that fits u64 is a PosInt, a negative one that fits i64 a NegInt, and anything with a
// fraction or exponent, out of integer range, or "-0" (which serde_json reads as the float -0.0),
// a Float (±Inf beyond f64's range). Text
// that is not a JSON number is read as strconv.ParseFloat reads it (0 when it cannot).
func ParseNumber(s string) Node {
	digits := s
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 {
		return parseFloat(s)
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i] - '0'
		if c > 9 {
			return parseFloat(s)
		}
		if i < 19 { // 19 digits cannot overflow u64
			u = u*10 + uint64(c)
			continue
		}
		hi, lo := bits.Mul64(u, 10)
		sum, carry := bits.Add64(lo, uint64(c), 0)
		if hi != 0 || carry != 0 {
			return parseFloat(s)
		}
		u = sum
	}
	switch {
	case !neg:
		return UintNode(u)
	case u == 0:
		return FloatNode(math.Copysign(0, -1))
	case u <= 1<<63:
		return Node{kind: NegInt, p: -u}
	}
	return parseFloat(s)
}

func parseFloat(s string) Node {
	f, _ := strconv.ParseFloat(s, 64)
	return FloatNode(f)
}

// AppendNumber writes a number node as serde_json writes it.
func AppendNumber(buf []byte, n Node) []byte {
	switch n.kind {
	case PosInt:
		return strconv.AppendUint(buf, n.Uint(), 10)
	case NegInt:
		return strconv.AppendInt(buf, n.Int(), 10)
	}
	return AppendFloat(buf, n.Float())
}

// AppendFloat formats f64 the way serde_json (ryu) does: shortest round-trip digits, `1.0` for
// integral values, scientific notation outside [1e-5, 1e16), and exponents without a `+`.
func AppendFloat(buf []byte, f float64) []byte {
	if f == 0 {
		if math.Signbit(f) {
			return append(buf, "-0.0"...)
		}
		return append(buf, "0.0"...)
	}
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64) // e.g. -1.2345e+06
	if e[0] == '-' {
		buf = append(buf, '-')
		e = e[1:]
	}
	mark := strings.IndexByte(string(e), 'e')
	mant, expPart := e[:mark], e[mark+1:]
	exp, _ := strconv.Atoi(string(expPart))
	var digitBuf [24]byte
	digits := append(digitBuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...) // skip the '.'
	}
	// value = 0.digits × 10^point
	point := exp + 1
	switch {
	case len(digits) <= point && point <= 16:
		buf = append(buf, digits...)
		for range point - len(digits) {
			buf = append(buf, '0')
		}
		buf = append(buf, ".0"...)
	case 0 < point && point <= 16:
		buf = append(buf, digits[:point]...)
		buf = append(buf, '.')
		buf = append(buf, digits[point:]...)
	case -5 < point && point <= 0:
		buf = append(buf, "0."...)
		for range -point {
			buf = append(buf, '0')
		}
		buf = append(buf, digits...)
	default:
		buf = append(buf, digits[0])
		if len(digits) > 1 {
			buf = append(buf, '.')
			buf = append(buf, digits[1:]...)
		}
		buf = append(buf, 'e')
		buf = strconv.AppendInt(buf, int64(point-1), 10)
	}
	return buf
}

// CompareNumbers orders number nodes by value across kinds (20 == 20.0), exactly: a large integer
// is never rounded to a float to be compared.
func CompareNumbers(a, b Node) int {
	switch {
	case a.kind == Float && b.kind == Float:
		return cmpOrdered(a.Float(), b.Float())
	case a.kind == Float:
		return compareFloatInt(a.Float(), b)
	case b.kind == Float:
		return -compareFloatInt(b.Float(), a)
	case a.kind == PosInt && b.kind == PosInt:
		return cmpOrdered(a.Uint(), b.Uint())
	case a.kind == NegInt && b.kind == NegInt:
		return cmpOrdered(a.Int(), b.Int())
	case a.kind == NegInt: // negative < unsigned
		return -1
	default:
		return 1
	}
}

func compareFloatInt(f float64, n Node) int {
	switch {
	case math.IsNaN(f) || f < -0x1p63:
		return -1
	case f >= 0x1p64:
		return 1
	case f != math.Trunc(f):
		// A fractional f is below 2^52, so it never equals n and rounding n cannot reorder them.
		return cmpOrdered(f, n.AsFloat())
	case f < 0:
		if n.kind == PosInt {
			return -1
		}
		return cmpOrdered(int64(f), n.Int())
	case n.kind == NegInt:
		return 1
	}
	return cmpOrdered(uint64(f), n.Uint())
}

// cmpOrdered is cmp.Compare but for NaN, which it finds equal to anything (JSON holds no NaN).
func cmpOrdered[T int64 | uint64 | int | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
