package doc

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// sum adds numbers as Flow does: integers stay integers (checked u64/i64 arithmetic), a float
// makes a float, and numeric strings add with arbitrary precision into a string result.
func (r *reducer) sum(lhs any, lhsOK bool, rhs any) (any, error) {
	ln, lok := summand{number: number{kind: kindUint}}, true
	if lhsOK {
		ln, lok = parseSummand(lhs)
	}
	rn, rok := parseSummand(rhs)
	if !lok || !rok {
		return nil, r.fail(ErrSumWrongType, lhs, lhsOK, rhs)
	}
	out, ok := ln.add(rn)
	if !ok {
		return nil, r.fail(ErrSumOverflow, lhs, lhsOK, rhs)
	}
	if !lhsOK && out != rhs {
		r.changed = true // 0 + "007" is "7": the document is no longer what was validated
	}
	return out, nil
}

// summand is a number, or an arbitrary-precision decimal (dec != nil) read from a string.
type summand struct {
	number
	dec *decimal
}

func parseSummand(v any) (summand, bool) {
	switch v := v.(type) {
	case json.Number:
		return summand{number: parseNumber(v)}, true
	case string:
		d, ok := parseDecimal(v)
		return summand{dec: d}, ok
	}
	return summand{}, false
}

func (a summand) add(b summand) (any, bool) {
	if a.dec != nil || b.dec != nil {
		ad, aok := a.decimal()
		bd, bok := b.decimal()
		if !aok || !bok {
			return nil, false
		}
		return ad.add(bd).String(), true
	}
	switch {
	case a.kind == kindFloat || b.kind == kindFloat:
		f := a.float() + b.float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		return json.Number(formatFloat(f)), true
	case a.kind == kindUint && b.kind == kindUint:
		s := a.u + b.u
		if s < a.u {
			return nil, false
		}
		return json.Number(strconv.FormatUint(s, 10)), true
	case a.kind == kindInt && b.kind == kindInt:
		s := a.i + b.i
		if (s > a.i) != (b.i > 0) {
			return nil, false
		}
		return json.Number(strconv.FormatInt(s, 10)), true
	}
	pos, neg := a.u, b.i
	if a.kind == kindInt {
		pos, neg = b.u, a.i
	}
	if neg == math.MinInt64 {
		return nil, false // Flow negates the i64 first, which overflows here.
	}
	mag := uint64(-neg)
	if pos >= mag {
		return json.Number(strconv.FormatUint(pos-mag, 10)), true
	}
	return json.Number(strconv.FormatInt(-int64(mag-pos), 10)), true
}

func (s summand) float() float64 {
	switch s.kind {
	case kindUint:
		return float64(s.u)
	case kindInt:
		return float64(s.i)
	}
	return s.f
}

func (s summand) decimal() (*decimal, bool) {
	switch {
	case s.dec != nil:
		return s.dec, true
	case s.kind == kindUint:
		return &decimal{unscaled: new(big.Int).SetUint64(s.u)}, true
	case s.kind == kindInt:
		return &decimal{unscaled: big.NewInt(s.i)}, true
	case math.IsInf(s.f, 0) || math.IsNaN(s.f):
		return nil, false
	}
	// Sixteen significant digits, as Flow's f64 to BigDecimal conversion gives
	// (86753.09 becomes 86753.09000000000).
	return parseDecimal(strconv.FormatFloat(s.f, 'e', 15, 64))
}

// decimal is unscaled × 10^-scale.
type decimal struct {
	unscaled *big.Int
	scale    int
}

// parseDecimal reads [+-]digits[.digits][e[+-]digits] (or .digits).
func parseDecimal(s string) (*decimal, bool) {
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 1<<20 || e < -(1<<20) {
			return nil, false
		}
		mant, exp = s[:i], e
	}
	sign := ""
	if mant != "" && (mant[0] == '+' || mant[0] == '-') {
		sign, mant = mant[:1], mant[1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	if digits == "" || (intPart == "" && frac == "") {
		return nil, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, false
		}
	}
	u, ok := new(big.Int).SetString(sign+digits, 10)
	if !ok {
		return nil, false
	}
	d := &decimal{unscaled: u, scale: len(frac) - exp}
	if d.scale < 0 {
		d.unscaled.Mul(d.unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.scale)), nil))
		d.scale = 0
	}
	return d, true
}

func (a *decimal) add(b *decimal) *decimal {
	x, y := a, b
	if x.scale < y.scale {
		x, y = y, x
	}
	shift := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.scale-y.scale)), nil)
	sum := new(big.Int).Mul(y.unscaled, shift)
	return &decimal{unscaled: sum.Add(sum, x.unscaled), scale: x.scale}
}

func (d *decimal) String() string {
	digits := new(big.Int).Abs(d.unscaled).String()
	sign := ""
	if d.unscaled.Sign() < 0 {
		sign = "-"
	}
	if d.scale == 0 {
		return sign + digits
	}
	if len(digits) <= d.scale {
		digits = strings.Repeat("0", d.scale-len(digits)+1) + digits
	}
	point := len(digits) - d.scale
	return sign + digits[:point] + "." + digits[point:]
}
