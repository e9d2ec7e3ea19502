package node

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// FromAny copies a value of the form encoding/json decodes with UseNumber (nil, bool, json.Number,
// string, []any, map[string]any) into the arena. Numbers are parsed as Flow parses them. It is for
// values that the module's decoders produced: it panics on another Go type, and reads a number
// beyond f64's range as ±Inf. FromValue checks values from elsewhere.
func (a *Arena) FromAny(v any) Node {
	n, err := a.fromAny(v, false)
	if err != nil {
		panic("node.FromAny: " + err.Error())
	}
	return n
}

// FromValue is FromAny for values built outside the decoders: a Go type other than JSON's, a
// json.Number that is no JSON number, or a number beyond f64's range (which Decode refuses too)
// is an error rather than a panic or a different value, and strings are read as Decode reads
// them (invalid UTF-8 becomes U+FFFD). On error the arena may hold parts of v until Reset.
func (a *Arena) FromValue(v any) (Node, error) { return a.fromAny(v, true) }

func (a *Arena) fromAny(v any, check bool) (Node, error) {
	switch v := v.(type) {
	case nil:
		return NullNode, nil
	case bool:
		return BoolNode(v), nil
	case json.Number:
		if check {
			return checkedNumber(string(v))
		}
		return ParseNumber(string(v)), nil
	case string:
		return a.StringNode(text(v, check)), nil
	case []any:
		arr, items := a.NewArray(len(v))
		for i, item := range v {
			n, err := a.fromAny(item, check)
			if err != nil {
				return Node{}, err
			}
			items[i] = n
		}
		return arr, nil
	case map[string]any:
		obj, fields := a.NewObject(len(v))
		i := 0
		for name, value := range v {
			n, err := a.fromAny(value, check)
			if err != nil {
				return Node{}, err
			}
			fields[i] = Field{Name: a.StringNode(text(name, check)), Value: n}
			i++
		}
		slices.SortFunc(fields, func(x, y Field) int { return strings.Compare(a.Str(x.Name), a.Str(y.Name)) })
		return obj, nil
	}
	return Node{}, fmt.Errorf("%T is not a JSON value (nil, bool, json.Number, string, []any or map[string]any)", v)
}

// text is s as Decode reads strings when repair is set: each byte of invalid UTF-8 a U+FFFD.
func text(s string, repair bool) string {
	if !repair || utf8.ValidString(s) {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return string(out)
}

// checkedNumber parses a json.Number that must be a JSON number within f64's range.
func checkedNumber(s string) (Node, error) {
	var l Lexer
	l.Reset(unsafe.Slice(unsafe.StringData(s), len(s))) // only read
	if len(s) == 0 {
		return Node{}, fmt.Errorf("invalid JSON: %q is not a JSON number", s)
	}
	if _, err := l.Number(); err != nil || l.Pos != len(s) {
		return Node{}, fmt.Errorf("invalid JSON: %q is not a JSON number", s)
	}
	n := ParseNumber(s)
	if n.kind == Float && math.IsInf(n.Float(), 0) {
		return Node{}, fmt.Errorf("invalid JSON: number %s is out of range", s)
	}
	return n, nil
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
