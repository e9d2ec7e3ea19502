package node

import "strings"

// Compare orders two nodes of the arena by Flow's total order: null < false < true < numbers (by
// value, so 20 == 20.0) < strings (bytewise) < arrays (element-wise, a prefix first) < objects
// (pairwise over properties in name order: name, then value; a prefix first).
func (a *Arena) Compare(x, y Node) int {
	rx, ry := rank(x.kind), rank(y.kind)
	if rx != ry {
		return cmpOrdered(rx, ry)
	}
	switch x.kind {
	case Bool:
		return cmpOrdered(x.p, y.p)
	case PosInt, NegInt, Float:
		return CompareNumbers(x, y)
	case String:
		return strings.Compare(a.Str(x), a.Str(y))
	case Array:
		xs, ys := a.Items(x), a.Items(y)
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if c := a.Compare(xs[i], ys[i]); c != 0 {
				return c
			}
		}
		return cmpOrdered(len(xs), len(ys))
	case Object:
		xs, ys := a.Fields(x), a.Fields(y)
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if c := strings.Compare(a.Str(xs[i].Name), a.Str(ys[i].Name)); c != 0 {
				return c
			}
			if c := a.Compare(xs[i].Value, ys[i].Value); c != 0 {
				return c
			}
		}
		return cmpOrdered(len(xs), len(ys))
	}
	return 0
}

// rank is the order of JSON types; the three number kinds rank as one.
func rank(k Kind) int {
	switch k {
	case NegInt, Float:
		return int(PosInt)
	}
	return int(k)
}

// Copy copies a node of src, with everything it refers to, into a.
func (a *Arena) Copy(src *Arena, n Node) Node {
	switch n.kind {
	case String:
		return a.StringNode(src.Str(n))
	case Array:
		from := src.Items(n)
		arr, items := a.NewArray(len(from))
		for i, item := range from {
			items[i] = a.Copy(src, item)
		}
		return arr
	case Object:
		from := src.Fields(n)
		obj, fields := a.NewObject(len(from))
		for i, f := range from {
			fields[i] = Field{Name: a.StringNode(src.Str(f.Name)), Value: a.Copy(src, f.Value)}
		}
		return obj
	}
	return n
}
