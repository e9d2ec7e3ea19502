package doc

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

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
// The result may share parts of lhs and rhs, which must not be modified afterwards; lhs and rhs
// themselves are left as they were.
func Reduce(lhs, rhs any, lhsExists bool, ann *schema.Annotation, full bool) (any, error) {
	doc, _, err := ReduceRoot(lhs, rhs, lhsExists, ann, full)
	return doc, err
}

// ReduceRoot is Reduce that also reports whether a full reduction deleted the whole document
// (a root `delete: true` strategy); the document itself is still returned.
func ReduceRoot(lhs, rhs any, lhsExists bool, ann *schema.Annotation, full bool) (doc any, deleted bool, err error) {
	r := reducer{full: full}
	return r.reduce(lhs, lhsExists, rhs, ann)
}

// reducer walks the LHS and RHS together. path is the current location, kept for errors.
type reducer struct {
	full bool
	path []string
	// changed records that a reduction produced something other than its RHS when LHS was
	// missing (a deletion, pruned set terms, a normalised sum), so the combiner knows whether a
	// document it reduced alone must be validated again.
	changed bool
	// rebuilt records that a reduction built a new value that may differ from its RHS in form
	// without changing what it means (a set's terms), so a value reduced alone is copied.
	rebuilt bool
	// sorted visits object properties in name order. Results do not depend on the order, only
	// which error is reported first does, so properties are visited in (cheaper) map order and
	// a failed reduction is repeated sorted to report the error Flow reports.
	sorted bool
}

// reduce reduces rhs into lhs at the root, reporting the error at the first location in
// property order if the reduction fails.
func (r *reducer) reduce(lhs any, lhsOK bool, rhs any, ann *schema.Annotation) (any, bool, error) {
	changed, rebuilt := r.changed, r.rebuilt
	out, deleted, err := r.node(lhs, lhsOK, rhs, ann)
	if err != nil && !r.sorted {
		r.sorted, r.path, r.changed, r.rebuilt = true, r.path[:0], changed, rebuilt
		out, deleted, err = r.node(lhs, lhsOK, rhs, ann)
		r.sorted = false
	}
	return out, deleted, err
}

// eachProperty calls fn with every property of m, sorted by name when r.sorted, stopping at
// the first error.
func (r *reducer) eachProperty(m map[string]any, fn func(prop string, v any) error) error {
	if r.sorted {
		for _, prop := range sortedKeys(m) {
			if err := fn(prop, m[prop]); err != nil {
				return err
			}
		}
		return nil
	}
	for prop, v := range m {
		if err := fn(prop, v); err != nil {
			return err
		}
	}
	return nil
}

var lastWriteWins = &schema.Reduce{Strategy: schema.LastWriteWins, Associative: true}

func (r *reducer) node(lhs any, lhsOK bool, rhs any, ann *schema.Annotation) (any, bool, error) {
	red := ann.Strategy()
	if red == nil {
		red = lastWriteWins
	}
	switch red.Strategy {
	case schema.LastWriteWins:
		if !red.Associative && !r.full && lhsOK && Compare(lhs, rhs) != 0 {
			return nil, false, r.fail(ErrNotAssociative, lhs, lhsOK, rhs)
		}
		deleted := r.full && red.Delete
		r.changed = r.changed || deleted
		return rhs, deleted, nil
	case schema.FirstWriteWins:
		if lhsOK {
			return lhs, false, nil
		}
		return rhs, false, nil
	case schema.Append:
		out, err := r.appendArrays(lhs, lhsOK, rhs)
		return out, false, err
	case schema.Minimize, schema.Maximize:
		out, err := r.minMax(lhs, lhsOK, rhs, ann, red)
		return out, false, err
	case schema.Merge:
		out, err := r.merge(lhs, lhsOK, rhs, ann, keyPointers(red))
		deleted := err == nil && r.full && red.Delete
		r.changed = r.changed || deleted
		return out, deleted, err
	case schema.Set:
		out, err := r.set(lhs, lhsOK, rhs, ann, keyPointers(red))
		return out, false, err
	case schema.Sum:
		out, err := r.sum(lhs, lhsOK, rhs)
		return out, false, err
	case schema.JSONSchemaMerge:
		out, err := r.jsonSchemaMerge(lhs, lhsOK, rhs)
		return out, false, err
	}
	return nil, false, r.fail(fmt.Errorf("unknown reduce strategy %q", red.Strategy), lhs, lhsOK, rhs)
}

func (r *reducer) fail(err error, lhs any, lhsOK bool, rhs any) error {
	return &ReduceError{Ptr: Pointer(r.path).String(), LHS: lhs, LHSExists: lhsOK, RHS: rhs, Err: err}
}

// child reduces one property or item, tracking the location for errors.
func (r *reducer) child(token string, lhs any, lhsOK bool, rhs any, ann *schema.Annotation) (any, bool, error) {
	r.path = append(r.path, token)
	out, deleted, err := r.node(lhs, lhsOK, rhs, ann.Child(token))
	r.path = r.path[:len(r.path)-1]
	return out, deleted, err
}

func (r *reducer) appendArrays(lhs any, lhsOK bool, rhs any) (any, error) {
	ra, ok := rhs.([]any)
	switch {
	case !ok:
	case !lhsOK:
		return ra, nil
	case lhs == nil:
		return nil, nil // A null LHS stays null.
	default:
		if la, ok := lhs.([]any); ok {
			return slices.Concat(la, ra), nil // never into la's spare capacity: la may be kept
		}
	}
	return nil, r.fail(ErrAppendWrongType, lhs, lhsOK, rhs)
}

func (r *reducer) minMax(lhs any, lhsOK bool, rhs any, ann *schema.Annotation, red *schema.Reduce) (any, error) {
	if !lhsOK {
		return rhs, nil
	}
	key := keyPointers(red)
	var ord int
	if len(key) == 0 {
		ord = Compare(lhs, rhs)
	} else {
		ord = compareAt(key, lhs, rhs)
	}
	if red.Strategy == schema.Maximize {
		ord = -ord
	}
	switch {
	case ord < 0:
		return lhs, nil
	case len(key) == 0:
		return rhs, nil
	case ord == 0:
		// Equal keys: deep-merge, so annotations nested beneath apply.
		return r.merge(lhs, true, rhs, ann, nil)
	default:
		// The RHS wins, reduced alone so nested strategies still see it.
		return r.merge(nil, false, rhs, ann, nil)
	}
}

func (r *reducer) merge(lhs any, lhsOK bool, rhs any, ann *schema.Annotation, key []Pointer) (any, error) {
	switch rv := rhs.(type) {
	case map[string]any:
		if lm, ok := lhs.(map[string]any); ok && lhsOK {
			return r.mergeObjects(lm, rv, ann)
		}
		if r.full {
			return r.mergeObjects(nil, rv, ann)
		}
	case []any:
		if la, ok := lhs.([]any); ok && lhsOK {
			return r.mergeArrays(la, rv, ann, key)
		}
		if r.full {
			return r.mergeArrays(nil, rv, ann, key)
		}
	default:
		return nil, r.fail(ErrMergeWrongType, lhs, lhsOK, rhs)
	}
	if !lhsOK {
		return rhs, nil
	}
	// {a: 1} · ("foo" · {b: 2}) differs from ({a: 1} · "foo") · {b: 2}.
	return nil, r.fail(ErrNotAssociative, lhs, lhsOK, rhs)
}

// mergeObjects reduces rhs's properties into lhs (nil: reduce rhs alone).
// It builds a new object: when a reduction fails as not associative, the combiner keeps the LHS
// as it was.
func (r *reducer) mergeObjects(lhs, rhs map[string]any, ann *schema.Annotation) (any, error) {
	if lhs == nil {
		return r.mergeObjectAlone(rhs, ann)
	}
	out := make(map[string]any, len(lhs)+len(rhs))
	for k, v := range lhs {
		out[k] = v
	}
	err := r.eachProperty(rhs, func(prop string, rv any) error {
		lv, lok := lhs[prop]
		v, deleted, err := r.child(prop, lv, lok, rv, ann)
		switch {
		case err != nil:
			return err
		case deleted:
			delete(out, prop)
		default:
			out[prop] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mergeArrays merges item-wise by index, or with a key as a sorted merge-join of arrays that are
// already sorted and de-duplicated by that key. Items only in rhs are reduced alone.
func (r *reducer) mergeArrays(lhs, rhs []any, ann *schema.Annotation, key []Pointer) (any, error) {
	if lhs == nil {
		return r.mergeArrayAlone(rhs, ann)
	}
	out := make([]any, 0, max(len(lhs), len(rhs)))
	emit := func(lv any, lok bool, ri int) error {
		item, deleted, err := r.child(strconv.Itoa(ri), lv, lok, rhs[ri], ann)
		if err == nil && !deleted {
			out = append(out, item)
		}
		return err
	}
	li, ri := 0, 0
	for li < len(lhs) || ri < len(rhs) {
		var ord int
		switch {
		case ri == len(rhs):
			ord = -1
		case li == len(lhs):
			ord = 1
		case len(key) == 0:
			ord = 0 // by index: items at the same position pair up
		default:
			ord = compareAt(key, lhs[li], rhs[ri])
		}
		var err error
		switch {
		case ord < 0:
			out = append(out, lhs[li])
			li++
		case ord > 0:
			err = emit(nil, false, ri)
			ri++
		default:
			err = emit(lhs[li], true, ri)
			li, ri = li+1, ri+1
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// keyPointers parses a strategy's relative key pointers once per compiled strategy.
func keyPointers(red *schema.Reduce) []Pointer {
	if len(red.Key) == 0 {
		return nil
	}
	if cached, ok := keyCache.Load(red); ok {
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
	keyCache.Store(red, slices.Clip(ptrs))
	return ptrs
}

var keyCache sync.Map // *schema.Reduce -> []Pointer
