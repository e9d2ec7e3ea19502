package doc

import (
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// nodeReducer reduces documents held in one arena; results are allocated in that arena.
type nodeReducer struct {
	arena *node.Arena
	full  bool
	// changed records that a reduction produced something other than its RHS when LHS was
	// missing (see reducer.changed).
	changed bool
}

// reduce reduces rhs into lhs at the root and reports whether a full reduction deleted the
// document. Errors are as ReduceRoot's.
//
// STUB (to be replaced by the native implementation): converts to any and reduces that.
func (r *nodeReducer) reduce(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation) (node.Node, bool, error) {
	var l any
	if lhsOK {
		l = r.arena.ToAny(lhs)
	}
	red := reducer{full: r.full}
	out, deleted, err := red.reduce(l, lhsOK, r.arena.ToAny(rhs), ann)
	if err != nil {
		return node.Node{}, false, err
	}
	r.changed = r.changed || red.changed
	return r.arena.FromAny(out), deleted, nil
}
