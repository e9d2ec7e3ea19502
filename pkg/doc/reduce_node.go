package doc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// nodeReducer reduces documents held in one arena; results are allocated in that arena. Inputs
// are never modified, and results may share their subtrees.
type nodeReducer struct {
	arena *node.Arena
	full  bool
	// changed records that a reduction produced something other than its RHS when LHS was
	// missing (a deletion, pruned set terms, a normalised sum), so the combiner knows whether a
	// document it reduced alone must be validated again. It accumulates: the caller clears it.
	changed bool

	path []pathToken // the current location, for errors
	// Stacks of the objects and arrays being built: a container pushes its members above the
	// mark it started at (nested containers push and pop above it) and copies them into the
	// arena once, when it is complete, so its size is known.
	fields []node.Field
	items  []node.Node
}

// pathToken is an array index when index >= 0, else a property name.
type pathToken struct {
	name  string // aliases the arena: only formatted, never kept
	index int
}

// reduce reduces rhs into lhs at the root and reports whether a full reduction deleted the
// document (a root `delete: true` strategy; the document itself is still returned). Objects hold
// their properties sorted, so the error reported is the first in property order, as Flow's.
func (r *nodeReducer) reduce(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation) (node.Node, bool, error) {
	r.path, r.fields, r.items = r.path[:0], r.fields[:0], r.items[:0]
	return r.node(lhs, lhsOK, rhs, ann)
}

func (r *nodeReducer) node(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation) (node.Node, bool, error) {
	red := ann.Strategy()
	if red == nil {
		red = lastWriteWins
	}
	switch red.Strategy {
	case schema.LastWriteWins:
		if !red.Associative && !r.full && lhsOK && r.arena.Compare(lhs, rhs) != 0 {
			return node.Node{}, false, r.fail(ErrNotAssociative, lhs, lhsOK, rhs)
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
	return node.Node{}, false, r.fail(fmt.Errorf("unknown reduce strategy %q", red.Strategy), lhs, lhsOK, rhs)
}

// fail reports a failed reduction at the current location, copying its values out of the arena.
func (r *nodeReducer) fail(err error, lhs node.Node, lhsOK bool, rhs node.Node) error {
	var l any
	if lhsOK {
		l = r.arena.ToAny(lhs)
	}
	return &ReduceError{Ptr: r.pointer(), LHS: l, LHSExists: lhsOK, RHS: r.arena.ToAny(rhs), Err: err}
}

func (r *nodeReducer) pointer() string {
	var b strings.Builder
	for _, tok := range r.path {
		b.WriteByte('/')
		if tok.index >= 0 {
			b.WriteString(strconv.Itoa(tok.index))
		} else {
			b.WriteString(escapeToken(tok.name))
		}
	}
	return b.String()
}

// child reduces one property, tracking the location for errors.
func (r *nodeReducer) child(name string, lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation) (node.Node, bool, error) {
	r.path = append(r.path, pathToken{name: name, index: -1})
	out, deleted, err := r.node(lhs, lhsOK, rhs, ann.Child(name))
	r.path = r.path[:len(r.path)-1]
	return out, deleted, err
}

// item reduces one array item. Its index is formatted only for an annotation to look up.
func (r *nodeReducer) item(index int, lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation) (node.Node, bool, error) {
	var sub *schema.Annotation
	if ann != nil {
		sub = ann.Child(strconv.Itoa(index))
	}
	r.path = append(r.path, pathToken{index: index})
	out, deleted, err := r.node(lhs, lhsOK, rhs, sub)
	r.path = r.path[:len(r.path)-1]
	return out, deleted, err
}

func (r *nodeReducer) appendArrays(lhs node.Node, lhsOK bool, rhs node.Node) (node.Node, error) {
	if rhs.Kind() == node.Array {
		switch {
		case !lhsOK:
			return rhs, nil
		case lhs.Kind() == node.Null:
			return node.NullNode, nil // A null LHS stays null.
		case lhs.Kind() == node.Array:
			out, items := r.arena.NewArray(lhs.Len() + rhs.Len())
			n := copy(items, r.arena.Items(lhs))
			copy(items[n:], r.arena.Items(rhs))
			return out, nil
		}
	}
	return node.Node{}, r.fail(ErrAppendWrongType, lhs, lhsOK, rhs)
}

func (r *nodeReducer) minMax(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation, red *schema.Reduce) (node.Node, error) {
	if !lhsOK {
		return rhs, nil
	}
	key := keyPointers(red)
	var ord int
	if len(key) == 0 {
		ord = r.arena.Compare(lhs, rhs)
	} else {
		ord = compareAt(r.arena, key, lhs, rhs)
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
		return r.merge(node.Node{}, false, rhs, ann, nil)
	}
}

func (r *nodeReducer) merge(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation, key []Pointer) (node.Node, error) {
	switch rhs.Kind() {
	case node.Object:
		if lhsOK && lhs.Kind() == node.Object {
			return r.mergeObjects(lhs, rhs, ann)
		}
		if r.full {
			return r.mergeObjectAlone(rhs, ann)
		}
	case node.Array:
		if lhsOK && lhs.Kind() == node.Array {
			return r.mergeArrays(lhs, rhs, ann, key)
		}
		if r.full {
			return r.mergeArrayAlone(rhs, ann)
		}
	default:
		return node.Node{}, r.fail(ErrMergeWrongType, lhs, lhsOK, rhs)
	}
	if !lhsOK {
		return rhs, nil
	}
	// {a: 1} · ("foo" · {b: 2}) differs from ({a: 1} · "foo") · {b: 2}.
	return node.Node{}, r.fail(ErrNotAssociative, lhs, lhsOK, rhs)
}

// mergeObjects reduces rhs's properties into lhs's as a merge-join of their sorted fields.
func (r *nodeReducer) mergeObjects(lhs, rhs node.Node, ann *schema.Annotation) (node.Node, error) {
	a := r.arena
	lf, rf := a.Fields(lhs), a.Fields(rhs)
	mark := len(r.fields)
	li := 0
	for _, f := range rf {
		name := a.Str(f.Name)
		for li < len(lf) && a.Str(lf[li].Name) < name {
			r.fields = append(r.fields, lf[li])
			li++
		}
		var lv node.Node
		lok := li < len(lf) && a.Str(lf[li].Name) == name
		if lok {
			lv = lf[li].Value
			li++
		}
		v, deleted, err := r.child(name, lv, lok, f.Value, ann)
		if err != nil {
			r.fields = r.fields[:mark]
			return node.Node{}, err
		}
		if !deleted {
			r.fields = append(r.fields, node.Field{Name: f.Name, Value: v})
		}
	}
	r.fields = append(r.fields, lf[li:]...)
	return r.popObject(mark), nil
}

// mergeArrays merges item-wise by index, or with a key as a sorted merge-join of arrays that are
// already sorted and de-duplicated by that key. Items only in rhs are reduced alone.
func (r *nodeReducer) mergeArrays(lhs, rhs node.Node, ann *schema.Annotation, key []Pointer) (node.Node, error) {
	a := r.arena
	la, ra := a.Items(lhs), a.Items(rhs)
	mark := len(r.items)
	li, ri := 0, 0
	for li < len(la) || ri < len(ra) {
		var ord int
		switch {
		case ri == len(ra):
			ord = -1
		case li == len(la):
			ord = 1
		case len(key) == 0:
			ord = 0 // by index: items at the same position pair up
		default:
			ord = compareAt(a, key, la[li], ra[ri])
		}
		if ord < 0 {
			r.items = append(r.items, la[li])
			li++
			continue
		}
		var lv node.Node
		if ord == 0 {
			lv = la[li]
			li++
		}
		v, deleted, err := r.item(ri, lv, ord == 0, ra[ri], ann)
		if err != nil {
			r.items = r.items[:mark]
			return node.Node{}, err
		}
		if !deleted {
			r.items = append(r.items, v)
		}
		ri++
	}
	return r.popArray(mark), nil
}

// popObject copies the fields pushed above mark into a new object and pops them.
func (r *nodeReducer) popObject(mark int) node.Node {
	out := r.arena.ObjectOf(r.fields[mark:])
	r.fields = r.fields[:mark]
	return out
}

// popArray copies the items pushed above mark into a new array and pops them.
func (r *nodeReducer) popArray(mark int) node.Node {
	out := r.arena.ArrayOf(r.items[mark:])
	r.items = r.items[:mark]
	return out
}
