package schema

import (
	"encoding/json"
	"strings"
)

// Types is a set of JSON types. Flow distinguishes integers from fractional numbers; the JSON
// Schema type "number" is Integer|Fractional.
type Types uint8

// The JSON types.
const (
	Null Types = 1 << iota
	Boolean
	Integer
	Fractional
	String
	Object
	Array

	Number   = Integer | Fractional
	AnyTypes = Null | Boolean | Integer | Fractional | String | Object | Array
	NoTypes  = Types(0)
)

var typeNames = []struct {
	t    Types
	name string
}{
	{Array, "array"}, {Boolean, "boolean"}, {Fractional, "fractional"}, {Integer, "integer"},
	{Null, "null"}, {Number, "number"}, {Object, "object"}, {String, "string"},
}

// String lists the types in alphabetical order, like "integer, string"; a number (integer and
// fractional) is shown as "number". The empty set is "nothing".
func (t Types) String() string {
	names := t.Names()
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// Names returns the JSON Schema type names of the set, alphabetical ("number" for Integer|Fractional).
func (t Types) Names() []string {
	var names []string
	isNumber := t&Number == Number
	for _, tn := range typeNames {
		switch {
		case tn.t == Number:
			if isNumber {
				names = append(names, tn.name)
			}
		case isNumber && tn.t&Number != 0:
			// shown as "number"
		case t&tn.t != 0:
			names = append(names, tn.name)
		}
	}
	return names
}

// Overlaps reports whether the sets share a type.
func (t Types) Overlaps(o Types) bool { return t&o != 0 }

// typesFromNames maps JSON Schema `type` names to a set.
func typesFromNames(names []string) Types {
	var t Types
	for _, n := range names {
		switch n {
		case "null":
			t |= Null
		case "boolean":
			t |= Boolean
		case "integer":
			t |= Integer
		case "number":
			t |= Number
		case "string":
			t |= String
		case "object":
			t |= Object
		case "array":
			t |= Array
		}
	}
	return t
}

// typeOf returns the type of a JSON value; an integral json.Number or float is an Integer.
func typeOf(v any) Types {
	switch t := v.(type) {
	case nil:
		return Null
	case bool:
		return Boolean
	case json.Number:
		if strings.ContainsAny(string(t), ".eE") {
			if f, err := t.Float64(); err == nil && f == float64(int64(f)) {
				return Integer
			}
			return Fractional
		}
		return Integer
	case float64:
		if t == float64(int64(t)) {
			return Integer
		}
		return Fractional
	case int, int64, int32, uint64, uint32:
		return Integer
	case string:
		return String
	case map[string]any:
		return Object
	case []any:
		return Array
	}
	return NoTypes
}

// Exists is whether a location must, may, or cannot exist in a valid document.
type Exists int

// Existence of a location, from strongest to weakest.
const (
	// MustExist: every valid document has the location.
	MustExist Exists = iota
	// MayExist: the schema names the location (properties, tuple items) or constrains it
	// (additionalProperties, items), but does not require it.
	MayExist
	// CannotExist: no valid document has the location.
	CannotExist
	// Implicit: the schema says nothing of the location, which JSON Schema lets exist.
	Implicit
)

func (e Exists) String() string {
	switch e {
	case MustExist:
		return "must exist"
	case MayExist:
		return "may exist"
	case CannotExist:
		return "cannot exist"
	default:
		return "implicit"
	}
}

// extend combines the existence of a parent path with that of a child step.
func (e Exists) extend(child Exists) Exists {
	switch {
	case e == CannotExist || child == CannotExist:
		return CannotExist
	case e == Implicit || child == Implicit:
		return Implicit
	case e == MayExist || child == MayExist:
		return MayExist
	}
	return MustExist
}
