package doc

import (
	"encoding/json"
	"math/bits"
)

// Go heap costs of decoded values, so that a Combiner's estimate of what it holds tracks the heap
// the documents really occupy (held to within a few percent by TestEstimateSizeTracksHeap).
const (
	ifaceSlotBytes = 16 // an interface in a slice or map slot
	stringBoxBytes = 16 // a string or json.Number stored in an interface is boxed: its header on the heap
	sliceBoxBytes  = 24 // likewise a []any's header
	mapHeaderBytes = 48
	// Swiss-table maps: groups of 8 slots, each slot a 16-byte key header and a 16-byte interface,
	// plus 8 control bytes. A map of at most 8 entries is one group; larger maps use tables of
	// power-of-two capacity at most 7/8 full, behind a directory.
	mapSlotBytes   = 16 + ifaceSlotBytes
	mapGroupBytes  = 8 + 8*mapSlotBytes
	mapTableBytes  = 48 // a table's header and its directory pointer
	entryOverhead  = 160
	allocRoundUnit = 16 // allocations round up to size classes; strings to at least this
)

// estimateSize estimates the heap bytes a decoded value holds beyond the slot that refers to it.
// Object keys are not counted: the decoder interns them, so documents share them.
func estimateSize(v any) int64 {
	switch v := v.(type) {
	case string:
		return stringBoxBytes + roundAlloc(len(v))
	case json.Number:
		return stringBoxBytes + roundAlloc(len(v))
	case []any:
		n := sliceBoxBytes + roundAlloc(ifaceSlotBytes*cap(v))
		for _, item := range v {
			n += estimateSize(item)
		}
		return n
	case map[string]any:
		n := mapBytes(len(v))
		for _, item := range v {
			n += estimateSize(item)
		}
		return n
	}
	return 0 // nil and booleans need no allocation
}

func roundAlloc(n int) int64 {
	if n == 0 {
		return 0
	}
	return int64((n + allocRoundUnit - 1) &^ (allocRoundUnit - 1))
}

func mapBytes(entries int) int64 {
	if entries <= 8 {
		return mapHeaderBytes + mapGroupBytes
	}
	slots := 1 << bits.Len(uint((entries*8+6)/7-1)) // the power of two holding entries at 7/8 load
	return mapHeaderBytes + mapTableBytes + int64(slots/8)*mapGroupBytes
}
