package node

import "math"

// AppendJSON appends n as compact JSON, as Flow writes documents (and byte for byte as doc.Append
// writes the node's ToAny): fields in name order, strings escaped as serde_json escapes them,
// numbers in their canonical form. Non-finite floats, which JSON cannot hold, are written as null.
func (a *Arena) AppendJSON(buf []byte, n Node) []byte {
	switch n.kind {
	case Null:
		return append(buf, "null"...)
	case Bool:
		if n.Bool() {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case PosInt, NegInt:
		return AppendNumber(buf, n)
	case Float:
		if f := n.Float(); math.IsInf(f, 0) || math.IsNaN(f) {
			return append(buf, "null"...)
		}
		return AppendFloat(buf, n.Float())
	case String:
		return AppendString(buf, a.Str(n))
	case Array:
		buf = append(buf, '[')
		for i, item := range a.Items(n) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = a.AppendJSON(buf, item)
		}
		return append(buf, ']')
	case Object:
		buf = append(buf, '{')
		for i, f := range a.Fields(n) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendString(buf, a.Str(f.Name))
			buf = append(buf, ':')
			buf = a.AppendJSON(buf, f.Value)
		}
		return append(buf, '}')
	}
	return append(buf, "null"...)
}
