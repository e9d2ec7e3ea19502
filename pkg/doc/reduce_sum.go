package doc

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// sum adds numbers as Flow does: integers stay integers (checked u64/i64 arithmetic), a float
// makes a float, and numeric strings add with arbitrary precision into a string result.
func (r *nodeReducer) sum(lhs node.Node, lhsOK bool, rhs node.Node) (node.Node, error) {
	l := node.UintNode(0)
	if lhsOK {
		l = lhs
	}
	la, lok := r.addend(l)
	ra, rok := r.addend(rhs)
	if !lok || !rok {
		return node.Node{}, r.fail(ErrSumWrongType, lhs, lhsOK, rhs)
	}
	out, ok := r.add(la, ra)
	if !ok {
		return node.Node{}, r.fail(ErrSumOverflow, lhs, lhsOK, rhs)
	}
	if !lhsOK && out != rhs {
		if out.Kind() == node.String && rhs.Kind() == node.String && r.arena.Str(out) == r.arena.Str(rhs) {
			return rhs, nil
		}
		r.changed = true // 0 + "007" is "7": the document is no longer what was validated
	}
	return out, nil
}

// addend is a number node, or an arbitrary-precision decimal (dec != nil) read from a string.
type addend struct {
	n   node.Node
	dec *decimal
}

func (r *nodeReducer) addend(n node.Node) (addend, bool) {
	switch {
	case n.Kind().IsNumber():
		return addend{n: n}, true
	case n.Kind() == node.String:
		d, ok := parseDecimal(r.arena.Str(n))
		return addend{dec: d}, ok
	}
	return addend{}, false
}

func (r *nodeReducer) add(x, y addend) (node.Node, bool) {
	if x.dec != nil || y.dec != nil {
		xd, xok := x.decimal()
		yd, yok := y.decimal()
		if !xok || !yok {
			return node.Node{}, false
		}
		return r.arena.StringNode(xd.add(yd).String()), true
	}
	return addNumbers(x.n, y.n)
}

// addNumbers adds with Flow's checked arithmetic; false means overflow.
func addNumbers(x, y node.Node) (node.Node, bool) {
	switch {
	case x.Kind() == node.Float || y.Kind() == node.Float:
		f := x.AsFloat() + y.AsFloat()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return node.Node{}, false
		}
		return node.FloatNode(f), true
	case x.Kind() == node.PosInt && y.Kind() == node.PosInt:
		s := x.Uint() + y.Uint()
		if s < x.Uint() {
			return node.Node{}, false
		}
		return node.UintNode(s), true
	case x.Kind() == node.NegInt && y.Kind() == node.NegInt:
		s := x.Int() + y.Int()
		if (s > x.Int()) != (y.Int() > 0) {
			return node.Node{}, false
		}
		return node.IntNode(s), true
	}
	pos, neg := x.Uint(), y.Int()
	if x.Kind() == node.NegInt {
		pos, neg = y.Uint(), x.Int()
	}
	if neg == math.MinInt64 {
		return node.Node{}, false // Flow negates the i64 first, which overflows here.
	}
	mag := uint64(-neg)
	if pos >= mag {
		return node.UintNode(pos - mag), true
	}
	return node.IntNode(-int64(mag - pos)), true
}

func (x addend) decimal() (*decimal, bool) {
	switch {
	case x.dec != nil:
		return x.dec, true
	case x.n.Kind() == node.PosInt:
		return &decimal{unscaled: new(big.Int).SetUint64(x.n.Uint())}, true
	case x.n.Kind() == node.NegInt:
		return &decimal{unscaled: big.NewInt(x.n.Int())}, true
	}
	f := x.n.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	// Sixteen significant digits, as Flow's f64 to BigDecimal conversion gives
	// (86753.09 becomes 86753.09000000000).
	return parseDecimal(strconv.FormatFloat(f, 'e', 15, 64))
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
