package schema

import (
	"cmp"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// Numbers are compared as the library compares them, exactly (big.Rat), but most comparisons are
// settled by float64 first without allocating: rounding to the nearest float64 never reverses an
// order, so two floats that differ order their exact values the same way. Only ties go to big.Rat.

// approx returns the float64 nearest to a JSON number; ok is false when the text is not a number.
func approx(x json.Number, r *fastRun) (float64, bool) {
	f, err := strconv.ParseFloat(string(x), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range still rounds to ±Inf or ±0
		r.unsure = true
		return 0, false
	}
	return f, true
}

// exact returns a JSON number's exact value, as the library builds it.
func exact(x json.Number, r *fastRun) (*big.Rat, bool) {
	v, ok := new(big.Rat).SetString(string(x))
	if !ok {
		r.unsure = true
	}
	return v, ok
}

// compareNumber returns -1, 0 or +1 as x is below, at or above the bound (0 when x is no number,
// with r.unsure set).
func compareNumber(x json.Number, b *bound, r *fastRun) int {
	if b.isInt64 && isPlainInteger(x) {
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return cmp.Compare(i, b.integer)
		}
	}
	f, ok := approx(x, r)
	switch {
	case !ok:
		return 0
	case f < b.approx:
		return -1
	case f > b.approx:
		return 1
	}
	v, ok := exact(x, r)
	if !ok {
		return 0
	}
	return v.Cmp(b.exact)
}

// isPlainInteger reports whether a JSON number is written without fraction or exponent.
func isPlainInteger(x json.Number) bool {
	return !strings.ContainsAny(string(x), ".eE")
}

// isIntegral reports whether a number's value is whole ("5.0" and "1e3" are, as for the library).
func isIntegral(x json.Number, r *fastRun) bool {
	if isPlainInteger(x) {
		return true
	}
	v, ok := exact(x, r)
	return ok && v.IsInt()
}

func isMultiple(x json.Number, of *bound, r *fastRun) bool {
	if of.isInt64 && of.integer != 0 && isPlainInteger(x) {
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i%of.integer == 0
		}
	}
	v, ok := exact(x, r)
	return ok && new(big.Rat).Quo(v, of.exact).IsInt()
}

func numbersEqual(x, y json.Number, r *fastRun) bool {
	if x == y {
		return true
	}
	fx, okx := approx(x, r)
	fy, oky := approx(y, r)
	if !okx || !oky || fx != fy {
		return false
	}
	vx, okx := exact(x, r)
	vy, oky := exact(y, r)
	return okx && oky && vx.Cmp(vy) == 0
}

// fastEqual is JSON Schema equality (numbers by value) over decoded values, as the library's.
func fastEqual(a, b any, r *fastRun) bool {
	switch ta := a.(type) {
	case nil:
		return b == nil
	case bool:
		tb, ok := b.(bool)
		return ok && ta == tb
	case string:
		tb, ok := b.(string)
		return ok && ta == tb
	case json.Number:
		switch tb := b.(type) {
		case json.Number:
			return numbersEqual(ta, tb, r)
		case nil, bool, string, []any, map[string]any:
			return false
		}
	case []any:
		tb, ok := b.([]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !fastEqual(ta[i], tb[i], r) {
				return false
			}
		}
		return true
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok || len(ta) != len(tb) {
			return false
		}
		for k, va := range ta {
			vb, ok := tb[k]
			if !ok || !fastEqual(va, vb, r) {
				return false
			}
		}
		return true
	}
	r.unsure = true // another Go type: the library decides
	return false
}
