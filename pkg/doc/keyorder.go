package doc

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/flowctl/flowctl/pkg/doc/tuple"
	"github.com/flowctl/flowctl/pkg/node"
)

// keyClass is the kind of value one key component has held. Packed tuple bytes order and group
// keys exactly as Compare does while every component holds one class, or null (which is least in
// both orders): strings compare bytewise in both, integers by value, false before true. They do
// not across classes (a packed string sorts before a packed number, Compare puts numbers first),
// for floats (20.0 equals 20 and -0.0 equals 0.0 by value, not as bytes), or for arrays and
// objects (packed as the bytes of their JSON).
type keyClass uint8

const (
	classUnset keyClass = iota
	classString
	classInteger
	classBool
)

// admitNode records the class of one key component's value and reports whether packed bytes
// still order every value that component has held as Compare does.
func admitNode(class *keyClass, v node.Node) bool {
	var c keyClass
	switch v.Kind() {
	case node.Null:
		return true
	case node.String:
		c = classString
	case node.Bool:
		c = classBool
	case node.PosInt, node.NegInt:
		c = classInteger
	default: // floats, arrays and objects
		return false
	}
	if *class == classUnset {
		*class = c
	}
	return *class == c
}

// keyValues turns a packed key back into JSON values that Compare as the extracted ones did.
func keyValues(packed string) ([]any, error) {
	raw, err := tuple.Unpack([]byte(packed))
	if err != nil {
		return nil, err
	}
	for i, v := range raw {
		switch v := v.(type) {
		case int64:
			raw[i] = json.Number(strconv.FormatInt(v, 10))
		case uint64:
			raw[i] = json.Number(strconv.FormatUint(v, 10))
		case float64:
			if math.IsInf(v, 0) { // from a literal beyond f64's range, which Compare reads as ±Inf too
				raw[i] = json.Number(strconv.FormatFloat(v, 'g', -1, 64))
			} else {
				raw[i] = json.Number(node.AppendFloat(nil, v))
			}
		case []byte: // arrays and objects pack as their JSON
			if raw[i], err = Decode(v); err != nil {
				return nil, err
			}
		case nil, bool, string:
		default:
			return nil, fmt.Errorf("packed key holds a %T, which no JSON value packs to", v)
		}
	}
	return raw, nil
}
