package doc

import (
	"math"
	"math/big"
	"strconv"

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
