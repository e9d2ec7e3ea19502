package doc

import (
	"encoding/binary"
	"encoding/json"
	"math"
)

// appendIdentities appends the identities of a key's values.
func appendIdentities(buf []byte, vals []any) []byte {
	for _, v := range vals {
		buf = appendIdentity(buf, v)
	}
	return buf
}

// appendIdentity appends bytes that are equal exactly when values Compare equal: unlike packed
// keys, 20 and 20.0 share an identity. The combiner groups documents by it.
func appendIdentity(buf []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(buf, 'n')
	case bool:
		if v {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case json.Number:
		n := parseNumber(v)
		if n.kind == kindFloat && n.f == math.Trunc(n.f) {
			switch {
			case n.f >= 0 && n.f < 0x1p64:
				n = number{kind: kindUint, u: uint64(n.f)}
			case n.f < 0 && n.f >= -0x1p63:
				n = number{kind: kindInt, i: int64(n.f)}
			}
		}
		switch n.kind {
		case kindUint:
			return binary.AppendUvarint(append(buf, 'u'), n.u)
		case kindInt:
			return binary.AppendVarint(append(buf, 'i'), n.i)
		default:
			return binary.BigEndian.AppendUint64(append(buf, 'd'), math.Float64bits(n.f))
		}
	case string:
		buf = binary.AppendUvarint(append(buf, 's'), uint64(len(v)))
		return append(buf, v...)
	case []any:
		buf = binary.AppendUvarint(append(buf, 'a'), uint64(len(v)))
		for _, item := range v {
			buf = appendIdentity(buf, item)
		}
		return buf
	case map[string]any:
		buf = binary.AppendUvarint(append(buf, 'o'), uint64(len(v)))
		for _, k := range sortedKeys(v) {
			buf = binary.AppendUvarint(buf, uint64(len(k)))
			buf = append(buf, k...)
			buf = appendIdentity(buf, v[k])
		}
		return buf
	}
	return buf
}
