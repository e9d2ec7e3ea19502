package doc

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
)

// Compare orders JSON values by Flow's total order: null < false < true < numbers (by value, so
// 20 == 20.0) < strings (bytewise) < arrays (element-wise, a prefix first) < objects (pairwise
// over properties in sorted order: name, then value; a prefix first).
func Compare(a, b any) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch a := a.(type) {
	case bool:
		return cmp.Compare(boolInt(a), boolInt(b.(bool)))
	case json.Number:
		return node.CompareNumbers(node.ParseNumber(string(a)), node.ParseNumber(string(b.(json.Number))))
	case string:
		return strings.Compare(a, b.(string))
	case []any:
		bb := b.([]any)
		for i := 0; i < len(a) && i < len(bb); i++ {
			if c := Compare(a[i], bb[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a), len(bb))
	case map[string]any:
		bm := b.(map[string]any)
		ak, bk := sortedKeys(a), sortedKeys(bm)
		for i := 0; i < len(ak) && i < len(bk); i++ {
			if c := strings.Compare(ak[i], bk[i]); c != 0 {
				return c
			}
			if c := Compare(a[ak[i]], bm[bk[i]]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(ak), len(bk))
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rank is the order of JSON types.
func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case json.Number:
		return 2
	case string:
		return 3
	case []any:
		return 4
	case map[string]any:
		return 5
	}
	panic(fmt.Sprintf("doc: %T is not a JSON value", v))
}

// compareAt orders documents of an arena by the values at relative pointers; a missing location
// orders before any value, as in Flow's reductions.
func compareAt(a *node.Arena, key []Pointer, x, y node.Node) int {
	for _, ptr := range key {
		xv, xok := ptr.QueryNode(a, x)
		yv, yok := ptr.QueryNode(a, y)
		switch {
		case xok && yok:
			if c := a.Compare(xv, yv); c != 0 {
				return c
			}
		case yok:
			return -1
		case xok:
			return 1
		}
	}
	return 0
}

// compareTuples orders extracted keys element by element.
func compareTuples(a, b []any) int {
	return slices.CompareFunc(a, b, Compare)
}
