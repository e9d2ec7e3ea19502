package doc

import (
	"encoding/binary"
	"math"

	"github.com/flowctl/flowctl/pkg/node"
)

// appendIdentity appends bytes that are equal exactly when values Compare equal: unlike packed
// keys, 20 and 20.0 share an identity. The combiner finds a key's entry by it.
func appendIdentity(buf []byte, a *node.Arena, v node.Node) []byte {
	switch v.Kind() {
	case node.Null:
		return append(buf, 'n')
	case node.Bool:
		if v.Bool() {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case node.PosInt:
		return binary.AppendUvarint(append(buf, 'u'), v.Uint())
	case node.NegInt:
		return binary.AppendVarint(append(buf, 'i'), v.Int())
	case node.Float:
		f := v.Float()
		if f == math.Trunc(f) { // integral floats share the identity of their integer
			switch {
			case f >= 0 && f < 0x1p64:
				return binary.AppendUvarint(append(buf, 'u'), uint64(f))
			case f < 0 && f >= -0x1p63:
				return binary.AppendVarint(append(buf, 'i'), int64(f))
			}
		}
		return binary.BigEndian.AppendUint64(append(buf, 'd'), math.Float64bits(f))
	case node.String:
		s := a.Str(v)
		buf = binary.AppendUvarint(append(buf, 's'), uint64(len(s)))
		return append(buf, s...)
	case node.Array:
		buf = binary.AppendUvarint(append(buf, 'a'), uint64(v.Len()))
		for _, item := range a.Items(v) {
			buf = appendIdentity(buf, a, item)
		}
		return buf
	case node.Object: // fields are sorted by name
		buf = binary.AppendUvarint(append(buf, 'o'), uint64(v.Len()))
		for _, f := range a.Fields(v) {
			name := a.Str(f.Name)
			buf = binary.AppendUvarint(buf, uint64(len(name)))
			buf = append(buf, name...)
			buf = appendIdentity(buf, a, f.Value)
		}
		return buf
	}
	return buf
}
