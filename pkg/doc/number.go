package doc

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// numKind is how Flow (serde_json) classifies a JSON number: an integer literal that fits u64 or
// i64 stays an integer, anything with a fraction or exponent, or out of integer range, is a float.
type numKind uint8

const (
	kindUint numKind = iota
	kindInt
	kindFloat
)

type number struct {
	kind numKind
	u    uint64
	i    int64
	f    float64
}

func parseNumber(s json.Number) number {
	str := string(s)
	if !strings.ContainsAny(str, ".eE") {
		if strings.HasPrefix(str, "-") {
			if i, err := strconv.ParseInt(str, 10, 64); err == nil {
				if i == 0 {
					return number{kind: kindUint}
				}
				return number{kind: kindInt, i: i}
			}
		} else if u, err := strconv.ParseUint(str, 10, 64); err == nil {
			return number{kind: kindUint, u: u}
		}
	}
	f, _ := strconv.ParseFloat(str, 64)
	return number{kind: kindFloat, f: f}
}

func (n number) json() json.Number {
	switch n.kind {
	case kindUint:
		return json.Number(strconv.FormatUint(n.u, 10))
	case kindInt:
		return json.Number(strconv.FormatInt(n.i, 10))
	default:
		return json.Number(formatFloat(n.f))
	}
}

// appendNumber writes a number as serde_json would after parsing it.
func appendNumber(buf []byte, n json.Number) []byte {
	if isCanonicalInteger(string(n)) {
		return append(buf, n...)
	}
	p := parseNumber(n)
	if p.kind == kindFloat && (math.IsInf(p.f, 0) || math.IsNaN(p.f)) {
		return append(buf, n...) // Not representable as f64: keep the literal rather than lose it.
	}
	return append(buf, p.json()...)
}

// isCanonicalInteger is the fast path for the common case: a short integer literal without
// leading zeros is already canonical.
func isCanonicalInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if len(digits) == 0 || len(digits) > 18 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// formatFloat formats f64 the way serde_json (ryu) does: shortest round-trip digits, `1.0` for
// integral values, scientific notation outside [1e-5, 1e16), and exponents without a `+`.
func formatFloat(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // e.g. -1.2345e+06
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	// value = 0.digits × 10^point
	point := exp + 1
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case len(digits) <= point && point <= 16:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
		b.WriteString(".0")
	case 0 < point && point <= 16:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	case -5 < point && point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		b.WriteString(strconv.Itoa(point - 1))
	}
	return b.String()
}

// compareNumbers orders numbers by value across integer and float representations (20 == 20.0).
func compareNumbers(a, b number) int {
	switch {
	case a.kind == kindFloat && b.kind == kindFloat:
		return cmpFloat(a.f, b.f)
	case a.kind == kindFloat:
		return compareFloatInt(a.f, b)
	case b.kind == kindFloat:
		return -compareFloatInt(b.f, a)
	case a.kind == kindUint && b.kind == kindUint:
		return cmpOrdered(a.u, b.u)
	case a.kind == kindInt && b.kind == kindInt:
		return cmpOrdered(a.i, b.i)
	case a.kind == kindInt: // negative < unsigned
		return -1
	default:
		return 1
	}
}

// compareFloatInt compares exactly: converting a large integer to f64 could round it.
func compareFloatInt(f float64, n number) int {
	switch {
	case math.IsNaN(f) || f < -0x1p63:
		return -1
	case f >= 0x1p64:
		return 1
	case f != math.Trunc(f):
		// A fractional f is below 2^52, so it never equals n and rounding n cannot reorder them.
		if n.kind == kindUint {
			return cmpFloat(f, float64(n.u))
		}
		return cmpFloat(f, float64(n.i))
	case f < 0:
		if n.kind == kindUint {
			return -1
		}
		return cmpOrdered(int64(f), n.i)
	case n.kind == kindInt:
		return 1
	}
	return cmpOrdered(uint64(f), n.u)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpOrdered[T int64 | uint64 | int](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
