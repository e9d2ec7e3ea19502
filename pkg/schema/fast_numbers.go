package schema

import (
	"cmp"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// A number node means what the library sees in it once converted back (node's ToAny): an integer
// kind its exact value, a Float the shortest decimal that reads back as the same float64. Numbers
// are compared as the library compares them, exactly (big.Rat), but float64 settles most comparisons
// without allocating: rounding to the nearest float64 never reverses an order, so two floats that
// differ order their exact values the same way. Only ties build big.Rats.

// compareNumber returns -1, 0 or +1 as x is below, at or above the bound (0 with r.unsure set when
// x is not a finite number).
func compareNumber(x node.Node, b *bound, r *fastRun) int {
	if b.isInt64 {
		switch {
		case x.Kind() == node.NegInt || (x.Kind() == node.PosInt && x.Uint() <= math.MaxInt64):
			return cmp.Compare(x.Int(), b.integer)
		case x.Kind() == node.PosInt:
			return 1
		}
	}
	f := x.AsFloat()
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		r.unsure = true
		return 0
	case f < b.approx:
		return -1
	case f > b.approx:
		return 1
	}
	return exactValue(x).Cmp(b.exact)
}

// exactValue is a finite number's value as the library reads it.
func exactValue(x node.Node) *big.Rat {
	switch x.Kind() {
	case node.PosInt:
		return new(big.Rat).SetUint64(x.Uint())
	case node.NegInt:
		return new(big.Rat).SetInt64(x.Int())
	}
	v, _ := new(big.Rat).SetString(strconv.FormatFloat(x.Float(), 'g', -1, 64))
	return v
}

// isIntegral reports whether a number's value is whole (5.0 and 1e3 are, as for the library). The
// shortest decimal of a float64 is whole exactly when the float64 is.
func isIntegral(x node.Node, r *fastRun) bool {
	if x.Kind() != node.Float {
		return true
	}
	f := x.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		r.unsure = true
		return false
	}
	return f == math.Trunc(f)
}

func isMultiple(x node.Node, of *bound, r *fastRun) bool {
	f := x.AsFloat()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		r.unsure = true
		return false
	}
	if of.isInt64 && of.integer > 0 {
		switch {
		case x.Kind() == node.PosInt:
			return x.Uint()%uint64(of.integer) == 0
		case x.Kind() == node.NegInt:
			return x.Int()%of.integer == 0
		case f != math.Trunc(f):
			return false // a fraction is no multiple of an integer
		case math.Abs(f) < 0x1p63:
			return int64(f)%of.integer == 0
		}
	}
	return new(big.Rat).Quo(exactValue(x), of.exact).IsInt()
}

// numbersEqual compares two numbers by value as the library does. Floats are equal exactly when
// their shortest decimals are; a Float and an integer compare exactly below 2^53, where a whole
// float64's shortest decimal is the integer itself, and are left to the library above it.
func numbersEqual(x, y node.Node, r *fastRun) bool {
	if (x.Kind() == node.Float) != (y.Kind() == node.Float) {
		f := x
		if y.Kind() == node.Float {
			f = y
		}
		if math.Abs(f.Float()) >= 0x1p53 || math.IsNaN(f.Float()) {
			r.unsure = true
			return false
		}
	}
	return node.CompareNumbers(x, y) == 0
}

// asNode classifies a value of the form encoding/json decodes with UseNumber by how faithfully
// a node holds it.
type asNode uint8

const (
	exactly       asNode = iota
	inexactNumber        // a number whose value a float64 does not hold (the library sees it exactly)
	notJSON              // another Go type, or a json.Number that is no JSON number
)

// exactAsNode walks a value to tell whether node's FromAny holds it exactly. Anything else is left
// to the library, which reads the original value.
func exactAsNode(v any) asNode {
	switch t := v.(type) {
	case nil, bool, string:
		return exactly
	case json.Number:
		return numberAsNode(string(t))
	case []any:
		worst := exactly
		for _, item := range t {
			if worst = max(worst, exactAsNode(item)); worst == notJSON {
				break
			}
		}
		return worst
	case map[string]any:
		worst := exactly
		for _, value := range t {
			if worst = max(worst, exactAsNode(value)); worst == notJSON {
				break
			}
		}
		return worst
	}
	return notJSON
}

// numberAsNode tells whether a JSON number literal reads exactly into a node: an integer within
// i64/u64 always does; another literal does when it has at most 15 significant digits (which a
// float64 round-trips) and a modest exponent (so it is neither rounded to 0 nor to infinity).
func numberAsNode(s string) asNode {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	intStart := i
	significant, leading := 0, true
	countDigits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if s[i] != '0' || !leading {
				leading = false
				significant++
			}
			i++
		}
		return i - start
	}
	mantissa := countDigits()
	if mantissa == 0 {
		return notJSON
	}
	integer := true
	if i < len(s) && s[i] == '.' {
		i++
		n := countDigits()
		if n == 0 {
			return notJSON
		}
		mantissa += n
		integer = false
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		integer = false
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if exp < 10000 {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return notJSON
		}
		if neg {
			exp = -exp
		}
	}
	if i != len(s) {
		return notJSON
	}
	if integer {
		if mantissa <= 18 {
			return exactly
		}
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return exactly
		}
		if _, err := strconv.ParseUint(s[intStart:], 10, 64); err == nil && intStart == 0 {
			return exactly
		}
	}
	if significant == 0 || (significant <= 15 && mantissa <= 40 && exp >= -250 && exp <= 250) {
		return exactly
	}
	if significant <= 17 && mantissa <= 40 {
		// Often the shortest decimal of a float64 (what encoders write): read it back to see.
		f, err := strconv.ParseFloat(s, 64)
		var buf [32]byte
		if err == nil && sameDecimal(s, strconv.AppendFloat(buf[:0], f, 'e', -1, 64)) {
			return exactly
		}
	}
	return inexactNumber
}

// sameDecimal reports whether two number literals (a valid one and Go's 'e' format) have the same
// value, by their significant digits and the power of ten of the first.
func sameDecimal(a string, b []byte) bool {
	da, ea := normalDecimal(a)
	db, eb := normalDecimal(string(b))
	return ea == eb && da == db
}

// normalDecimal returns a literal's significant digits, without leading or trailing zeros, and
// the exponent e such that the value is 0.digits × 10^e (up to sign, which both inputs share).
func normalDecimal(s string) (digits [40]byte, exp int) {
	n, point, i := 0, 0, 0
	seenPoint, leading := false, true
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
		case c == '.':
			seenPoint = true
		case c >= '0' && c <= '9':
			if c == '0' && leading {
				if seenPoint {
					point--
				}
				continue
			}
			leading = false
			if !seenPoint {
				point++
			}
			if n < len(digits) {
				digits[n] = c
				n++
			}
		default: // the exponent
			e, _ := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
			point += e
			i = len(s)
		}
	}
	for n > 0 && digits[n-1] == '0' {
		n--
		digits[n] = 0
	}
	return digits, point
}
