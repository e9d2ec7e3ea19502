package doc

import (
	"encoding/json"
	"fmt"

	"github.com/flowctl/flowctl/pkg/doc/tuple"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// Extractor reads one key component of a document. A missing location yields Default if the
// schema gives one (HasDefault), else null, as Flow's extractors do.
type Extractor struct {
	Ptr        Pointer
	Default    any
	HasDefault bool
}

// Extract returns the extractor's value in doc.
func (e Extractor) Extract(doc any) any {
	if v, ok := e.Ptr.Query(doc); ok {
		return v
	}
	if e.HasDefault {
		return e.Default
	}
	return nil
}

// ExtractKey returns the values of each key component of doc.
func ExtractKey(doc any, key []Extractor) []any {
	out := make([]any, len(key))
	for i, e := range key {
		out[i] = e.Extract(doc)
	}
	return out
}

// PackKey appends the FoundationDB tuple encoding of doc's key, with Flow's rules: integers
// pack as integers and floats as doubles, arrays and objects pack as the bytes of their
// compact JSON.
func PackKey(buf []byte, doc any, key []Extractor) []byte {
	for _, e := range key {
		buf = PackValue(buf, e.Extract(doc))
	}
	return buf
}

// PackValue appends the tuple encoding of one JSON value.
func PackValue(buf []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return tuple.Pack(buf, nil)
	case bool:
		return tuple.Pack(buf, v)
	case string:
		return tuple.PackString(buf, v)
	case json.Number:
		return packNumber(buf, node.ParseNumber(string(v)))
	default: // arrays and objects
		return tuple.PackBytes(buf, Append(nil, v))
	}
}

// ExtractNode returns the extractor's value in a document held in arena a; a default is copied
// into the arena.
func (e Extractor) ExtractNode(a *node.Arena, doc node.Node) node.Node {
	if v, ok := e.Ptr.QueryNode(a, doc); ok {
		return v
	}
	if e.HasDefault {
		return a.FromAny(e.Default)
	}
	return node.NullNode
}

// PackKeyNode is PackKey over a document held in arena a.
func PackKeyNode(buf []byte, a *node.Arena, doc node.Node, key []Extractor) []byte {
	for _, e := range key {
		buf = PackValueNode(buf, a, e.ExtractNode(a, doc))
	}
	return buf
}

// PackValueNode is PackValue over a value held in arena a.
func PackValueNode(buf []byte, a *node.Arena, v node.Node) []byte {
	switch v.Kind() {
	case node.Null:
		return tuple.Pack(buf, nil)
	case node.Bool:
		return tuple.Pack(buf, v.Bool())
	case node.String:
		return tuple.PackString(buf, a.Str(v))
	case node.PosInt, node.NegInt, node.Float:
		return packNumber(buf, v)
	default: // arrays and objects
		return tuple.PackBytes(buf, a.AppendJSON(nil, v))
	}
}

// packNumber packs integers as integers and floats as doubles, by their kind.
func packNumber(buf []byte, n node.Node) []byte {
	switch n.Kind() {
	case node.PosInt:
		return tuple.PackUint(buf, n.Uint())
	case node.NegInt:
		return tuple.PackInt(buf, n.Int())
	default:
		return tuple.PackFloat(buf, n.Float())
	}
}

// KeyExtractors builds the extractors of a collection key, taking each location's default from the
// schema shape, so that a document missing a key location is keyed as Flow keys it.
func KeyExtractors(shape *schema.Shape, key []string) ([]Extractor, error) {
	out := make([]Extractor, 0, len(key))
	for _, k := range key {
		ptr, err := ParsePointer(k)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		ex := Extractor{Ptr: ptr}
		if shape != nil {
			if loc, _ := shape.Locate(k); loc != nil && loc.HasDefault {
				ex.Default, ex.HasDefault = loc.Default, true
			}
		}
		out = append(out, ex)
	}
	return out, nil
}
