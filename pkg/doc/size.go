package doc

import "encoding/json"

// Rough Go heap costs, used to keep a Combiner near its memory bound. They need not be exact,
// only proportional to what documents really hold.
const (
	ifaceBytes    = 16
	sliceBytes    = 24
	mapBytes      = 48
	mapSlotBytes  = 8 // per-entry overhead of a map bucket
	entryOverhead = 160
)

// estimateSize estimates the bytes a decoded value holds.
func estimateSize(v any) int64 {
	switch v := v.(type) {
	case string:
		return ifaceBytes + 16 + int64(len(v))
	case json.Number:
		return ifaceBytes + 16 + int64(len(v))
	case []any:
		n := int64(ifaceBytes + sliceBytes + ifaceBytes*cap(v))
		for _, item := range v {
			n += estimateSize(item)
		}
		return n
	case map[string]any:
		n := int64(ifaceBytes + mapBytes)
		for k, item := range v {
			n += 16 + int64(len(k)) + mapSlotBytes + estimateSize(item)
		}
		return n
	}
	return ifaceBytes
}
