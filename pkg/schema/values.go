package schema

import (
	"encoding/json"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// valuesEqual compares JSON values, numbers by value (1 == 1.0), as JSON Schema's enum does.
func valuesEqual(a, b any) bool {
	if ra, ok := numberOf(a); ok {
		rb, ok := numberOf(b)
		return ok && ra.Cmp(rb) == 0
	}
	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for k, va := range ta {
			vb, ok := tb[k]
			if !ok || !valuesEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !valuesEqual(ta[i], tb[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func numberOf(v any) (*big.Rat, bool) {
	switch t := v.(type) {
	case json.Number:
		if !modestExponent(string(t)) {
			return nil, false // an enormous exact value is not worth building; compared as text
		}
		return new(big.Rat).SetString(string(t))
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(t) == nil {
			return nil, false
		}
		return r, true
	case int:
		return new(big.Rat).SetInt64(int64(t)), true
	case int64:
		return new(big.Rat).SetInt64(t), true
	}
	return nil, false
}

// modestExponent reports whether a number's exponent, if any, is small enough to expand.
func modestExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return true
	}
	e, err := strconv.Atoi(s[i+1:])
	return err == nil && e > -1000 && e < 1000
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if valuesEqual(e, v) {
			return true
		}
	}
	return false
}

// reducesEqual reports whether two `reduce` annotations name the same strategy and options.
func reducesEqual(a, b *Reduce) bool {
	return reflect.DeepEqual(a, b)
}
