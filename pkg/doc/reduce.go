package doc

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// Errors of reductions, as Flow words them. A *ReduceError wraps one with its location and values.
var (
	ErrNotAssociative  = errors.New("encountered non-associative reduction in an unexpected context")
	ErrAppendWrongType = errors.New("'append' strategy expects arrays")
	ErrSumOverflow     = errors.New("`sum` resulted in numeric overflow")
	ErrSumWrongType    = errors.New("'sum' strategy expects numbers")
	ErrMergeWrongType  = errors.New("'merge' strategy expects objects or arrays")
	ErrSetWrongType    = errors.New("'set' strategy expects objects having only 'add', 'remove', and 'intersect' properties with consistent object or array types")
	ErrJSONSchemaMerge = errors.New("'json-schema-merge' strategy expects objects containing valid JSON schemas")
)

// ReduceError says where a reduction failed and with which values.
type ReduceError struct {
	Ptr       string // document location, a JSON pointer
	LHS       any
	LHSExists bool
	RHS       any
	Err       error
}

func (e *ReduceError) Error() string {
	lhs := "(missing)"
	if e.LHSExists {
		lhs = excerpt(e.LHS)
	}
	return fmt.Sprintf("while reducing %q: %v (LHS: %s, RHS: %s)", e.Ptr, e.Err, lhs, excerpt(e.RHS))
}

func (e *ReduceError) Unwrap() error { return e.Err }

// excerpt keeps error messages readable when values are large.
func excerpt(v any) string {
	const limit = 200
	b := Append(nil, v)
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}

// Reduce reduces rhs into lhs (the earlier document) using ann, the `reduce` annotations that
// applied when rhs was validated. lhsExists=false means there is no earlier document. full marks
// lhs as the root-most document of the sequence: deletions apply and set terms are pruned.
// lhs and rhs are left as they were; the result is a new value.
func Reduce(lhs, rhs any, lhsExists bool, ann *schema.Annotation, full bool) (any, error) {
	doc, _, err := ReduceRoot(lhs, rhs, lhsExists, ann, full)
	return doc, err
}

// ReduceRoot is Reduce that also reports whether a full reduction deleted the whole document
// (a root `delete: true` strategy); the document itself is still returned. It copies the values
// into an arena and reduces them there, as the combiner does; a value a node cannot hold (a
// number beyond f64's range, a Go type other than JSON's) is an error.
func ReduceRoot(lhs, rhs any, lhsExists bool, ann *schema.Annotation, full bool) (doc any, deleted bool, err error) {
	a := arenas.Get().(*node.Arena)
	defer func() {
		a.Reset()
		arenas.Put(a)
	}()
	var l node.Node
	if lhsExists {
		if l, err = a.FromValue(lhs); err != nil {
			return nil, false, err
		}
	}
	rn, err := a.FromValue(rhs)
	if err != nil {
		return nil, false, err
	}
	r := nodeReducer{arena: a, full: full}
	out, deleted, err := r.reduce(l, lhsExists, rn, ann)
	if err != nil {
		return nil, false, err
	}
	return a.ToAny(out), deleted, nil
}

var arenas = sync.Pool{New: func() any { return new(node.Arena) }}

var lastWriteWins = &schema.Reduce{Strategy: schema.LastWriteWins, Associative: true}

// keyPointers parses a strategy's relative key pointers once per distinct list of them. The cache
// is keyed by the pointers' text, not the compiled strategy: develop compiles catalogs again on
// every change, and keying by strategy would keep every compilation's entries for good.
func keyPointers(red *schema.Reduce) []Pointer {
	if len(red.Key) == 0 {
		return nil
	}
	id := red.Key[0]
	if len(red.Key) > 1 {
		id = fmt.Sprintf("%q", red.Key) // starts with '[', so it never equals a single pointer
	}
	if cached, ok := keyCache.Load(id); ok {
		return cached.([]Pointer)
	}
	ptrs := make([]Pointer, 0, len(red.Key))
	for _, k := range red.Key {
		p, err := ParsePointer(k)
		if err != nil {
			// schema.ParseReduce admits only "" or "/..." pointers; a bad escape means no match.
			p = Pointer{"\x00invalid:" + k}
		}
		ptrs = append(ptrs, p)
	}
	keyCache.Store(id, slices.Clip(ptrs))
	return ptrs
}

var keyCache sync.Map // key pointers' text -> []Pointer
