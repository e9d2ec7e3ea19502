package testrunner

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/flowctl/flowctl/pkg/doc"
)

// Mismatch is one index of a verify step where actual and expected documents differ.
type Mismatch struct {
	Index int    `json:"index"`
	Key   string `json:"key"` // the document's key as a JSON array
	// Kind is "differs", "missing" (an expected document has no actual one) or "unexpected".
	Kind     string `json:"kind"`
	Expected any    `json:"expected,omitempty"`
	Actual   any    `json:"actual,omitempty"`
	Diffs    []Diff `json:"diffs,omitempty"`
}

// Diff is one location where an actual document does not hold what was expected.
type Diff struct {
	Pointer  string `json:"pointer"`
	Expected any    `json:"expected"`
	// Actual is the actual value; ActualMissing is set when the location does not exist.
	Actual        any  `json:"actual,omitempty"`
	ActualMissing bool `json:"actualMissing,omitempty"`
}

// compare walks expected and actual documents in lock step, as Flow's test driver does: each
// actual document must equal or be a superset of the expected one at its index, and the counts
// must match. Actual /_meta/uuid values are masked first.
func compare(expected, actual []any, key []doc.Extractor) []Mismatch {
	var out []Mismatch
	for i := 0; i < len(expected) || i < len(actual); i++ {
		switch {
		case i >= len(actual):
			out = append(out, Mismatch{Index: i, Kind: "missing", Key: keyOf(expected[i], key), Expected: expected[i]})
		case i >= len(expected):
			out = append(out, Mismatch{Index: i, Kind: "unexpected", Key: keyOf(actual[i], key), Actual: maskUUID(actual[i])})
		default:
			a := maskUUID(actual[i])
			var diffs []Diff
			superset(expected[i], a, "", &diffs)
			if len(diffs) > 0 {
				out = append(out, Mismatch{Index: i, Kind: "differs", Key: keyOf(expected[i], key),
					Expected: expected[i], Actual: a, Diffs: diffs})
			}
		}
	}
	return out
}

// superset appends a Diff for each location of expected that actual does not match.
func superset(expected, actual any, ptr string, diffs *[]Diff) {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			*diffs = append(*diffs, Diff{Pointer: ptr, Expected: expected, Actual: actual})
			return
		}
		names := make([]string, 0, len(e))
		for name := range e {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			child := ptr + "/" + escapeToken(name)
			av, ok := a[name]
			if !ok {
				*diffs = append(*diffs, Diff{Pointer: child, Expected: e[name], ActualMissing: true})
				continue
			}
			superset(e[name], av, child, diffs)
		}
	case []any:
		a, ok := actual.([]any)
		if !ok || len(a) != len(e) {
			*diffs = append(*diffs, Diff{Pointer: ptr, Expected: expected, Actual: actual})
			return
		}
		for i := range e {
			superset(e[i], a[i], ptr+"/"+strconv.Itoa(i), diffs)
		}
	case json.Number:
		if a, ok := actual.(json.Number); !ok || !numbersMatch(e, a) {
			*diffs = append(*diffs, Diff{Pointer: ptr, Expected: expected, Actual: actual})
		}
	default:
		if !scalarEqual(expected, actual) {
			*diffs = append(*diffs, Diff{Pointer: ptr, Expected: expected, Actual: actual})
		}
	}
}

// numbersMatch compares as Flow does: equal text, else a relative difference below the f64
// machine epsilon (so 1 matches 1.0, while values near zero must be written alike).
func numbersMatch(e, a json.Number) bool {
	if e == a {
		return true
	}
	ef, err1 := strconv.ParseFloat(string(e), 64)
	af, err2 := strconv.ParseFloat(string(a), 64)
	if err1 != nil || err2 != nil {
		return false
	}
	const epsilon = 2.220446049250313e-16
	return math.Abs(ef-af) < epsilon*math.Max(math.Abs(ef), math.Abs(af))
}

func scalarEqual(e, a any) bool {
	switch e := e.(type) {
	case nil:
		return a == nil
	case bool:
		b, ok := a.(bool)
		return ok && b == e
	case string:
		s, ok := a.(string)
		return ok && s == e
	}
	return false
}

// maskUUID returns d with /_meta/uuid replaced by "flow-uuid", as Flow's driver compares.
func maskUUID(d any) any {
	obj, ok := d.(map[string]any)
	if !ok {
		return d
	}
	meta, ok := obj["_meta"].(map[string]any)
	if !ok {
		return d
	}
	if _, ok := meta["uuid"]; !ok {
		return d
	}
	maskedMeta := make(map[string]any, len(meta))
	for k, v := range meta {
		maskedMeta[k] = v
	}
	maskedMeta["uuid"] = "flow-uuid"
	masked := make(map[string]any, len(obj))
	for k, v := range obj {
		masked[k] = v
	}
	masked["_meta"] = maskedMeta
	return masked
}

func keyOf(d any, key []doc.Extractor) string {
	return string(doc.Append(nil, doc.ExtractKey(d, key)))
}

func escapeToken(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
