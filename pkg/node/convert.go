package node

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// FromAny copies a value of the form encoding/json decodes with UseNumber (nil, bool, json.Number,
// string, []any, map[string]any) into the arena. Numbers are parsed as Flow parses them.
func (a *Arena) FromAny(v any) Node {
	switch v := v.(type) {
	case nil:
		return NullNode
	case bool:
		return BoolNode(v)
	case json.Number:
		return ParseNumber(string(v))
	case string:
		return a.StringNode(v)
	case []any:
		arr, items := a.NewArray(len(v))
		for i, item := range v {
			items[i] = a.FromAny(item)
		}
		return arr
	case map[string]any:
		obj, fields := a.NewObject(len(v))
		i := 0
		for name, value := range v {
			fields[i] = Field{Name: a.StringNode(name), Value: a.FromAny(value)}
			i++
		}
		slices.SortFunc(fields, func(x, y Field) int { return strings.Compare(a.Str(x.Name), a.Str(y.Name)) })
		return obj
	}
	panic(fmt.Sprintf("node.FromAny: %T is not a JSON value", v))
}

// ToAny copies a node out of the arena as encoding/json's values, numbers as json.Number in their
// canonical form. Non-finite floats, which JSON cannot hold, become null.
func (a *Arena) ToAny(n Node) any {
	switch n.kind {
	case Null:
		return nil
	case Bool:
		return n.Bool()
	case PosInt, NegInt, Float:
		if n.kind == Float && (math.IsInf(n.Float(), 0) || math.IsNaN(n.Float())) {
			return nil
		}
		return json.Number(AppendNumber(nil, n))
	case String:
		return strings.Clone(a.Str(n))
	case Array:
		items := a.Items(n)
		out := make([]any, len(items))
		for i, item := range items {
			out[i] = a.ToAny(item)
		}
		return out
	case Object:
		fields := a.Fields(n)
		out := make(map[string]any, len(fields))
		for _, f := range fields {
			out[strings.Clone(a.Str(f.Name))] = a.ToAny(f.Value)
		}
		return out
	}
	panic(fmt.Sprintf("node.ToAny: invalid kind %d", n.kind))
}
