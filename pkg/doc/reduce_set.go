package doc

import (
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// Terms of a set location, in the order Flow reduces them.
const (
	termAdd = iota
	termIntersect
	termRemove
)

var termNames = [3]string{"add", "intersect", "remove"}

// Which members of a merge-join a term keeps.
const (
	keepLeft  = 1
	keepRight = 2
	keepBoth  = 4
	keepUnion = keepLeft | keepRight | keepBoth
)

// setParts are one side's terms (null when absent) and the names they came under.
type setParts struct {
	term [3]node.Node
	name [3]node.Node
}

// setOp is what the terms of one set location are built with.
type setOp struct {
	ann    *schema.Annotation
	key    []Pointer
	arrays bool // members are array items ordered by key, else properties
}

// set reduces a location holding {add, intersect, remove} terms: RHS removes (or intersects)
// members of the LHS, then RHS additions are unioned in, and members added on both sides are
// reduced together, so a set also works as a map. Full reductions drop intersect and remove.
func (r *nodeReducer) set(lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation, key []Pointer) (node.Node, error) {
	var ls setParts
	lhsArrays, lhsObjects := false, false
	if lhsOK {
		var bad string
		if ls, lhsArrays, lhsObjects, bad = r.setParts(lhs); bad != "" {
			return node.Node{}, r.failSet(bad, lhs, lhsOK, rhs)
		}
	}
	rs, rhsArrays, rhsObjects, bad := r.setParts(rhs)
	if bad != "" {
		return node.Node{}, r.failSet(bad, lhs, lhsOK, rhs)
	}
	if (lhsArrays || rhsArrays) && (lhsObjects || rhsObjects) {
		return node.Node{}, r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	}
	op := &setOp{ann: ann, key: key, arrays: !(lhsObjects || rhsObjects)}
	present := func(n node.Node) bool { return n.Kind() != node.Null }

	var add, other node.Node
	var otherTerm int
	var err error
	switch {
	case present(ls.term[termIntersect]) && present(rs.term[termIntersect]):
		// add: (LA ∩ RI) ∪ RA; intersect: LI ∩ RI.
		add, err = r.setTerm(op, termAdd, ls.term[termAdd], rs.term[termIntersect], true, keepUnion, rs.term[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = r.setTerm(op, termIntersect, ls.term[termIntersect], node.NullNode, false, keepBoth, rs.term[termIntersect])
		}
	case present(ls.term[termIntersect]):
		// add: (LA - RR) ∪ RA; intersect: LI - RR.
		add, err = r.setTerm(op, termAdd, ls.term[termAdd], rs.term[termRemove], false, keepUnion, rs.term[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = r.setTerm(op, termIntersect, ls.term[termIntersect], node.NullNode, false, keepLeft, rs.term[termRemove])
		}
	case present(rs.term[termIntersect]):
		// add: (LA ∩ RI) ∪ RA; intersect: RI - LR.
		add, err = r.setTerm(op, termAdd, ls.term[termAdd], rs.term[termIntersect], true, keepUnion, rs.term[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = r.setTerm(op, termIntersect, ls.term[termRemove], node.NullNode, false, keepRight, rs.term[termIntersect])
		}
	default:
		// add: (LA - RR) ∪ RA; remove: LR ∪ RR.
		add, err = r.setTerm(op, termAdd, ls.term[termAdd], rs.term[termRemove], false, keepUnion, rs.term[termAdd])
		otherTerm = termRemove
		if err == nil && !r.full {
			other, err = r.setTerm(op, termRemove, ls.term[termRemove], node.NullNode, false, keepUnion, rs.term[termRemove])
		}
	}
	if err != nil {
		return node.Node{}, err
	}
	mark := len(r.fields)
	if present(add) {
		r.fields = append(r.fields, node.Field{Name: r.termName(termAdd, &ls, &rs), Value: add})
	}
	if present(other) {
		r.fields = append(r.fields, node.Field{Name: r.termName(otherTerm, &ls, &rs), Value: other})
	}
	if r.full && (present(rs.term[termIntersect]) || present(rs.term[termRemove])) {
		r.changed = true
	}
	return r.popObject(mark), nil
}

// termName is the name node of a term, reused from a side that has it.
func (r *nodeReducer) termName(t int, ls, rs *setParts) node.Node {
	switch {
	case rs.name[t].Kind() == node.String:
		return rs.name[t]
	case ls.name[t].Kind() == node.String:
		return ls.name[t]
	}
	return r.arena.StringNode(termNames[t])
}

// setParts destructures one side, reporting which forms its terms take. bad is "." when v is not
// an object, or the offending property.
func (r *nodeReducer) setParts(v node.Node) (side setParts, arrays, objects bool, bad string) {
	if v.Kind() != node.Object {
		return side, false, false, "."
	}
	for _, f := range r.arena.Fields(v) {
		prop := r.arena.Str(f.Name)
		term := -1
		for i, name := range termNames {
			if prop == name {
				term = i
			}
		}
		switch f.Value.Kind() {
		case node.Array:
			arrays = true
		case node.Object:
			objects = true
		default:
			term = -1
		}
		if term < 0 || (term == termRemove && side.term[termIntersect].Kind() != node.Null) {
			return side, false, false, prop
		}
		side.term[term], side.name[term] = f.Value, f.Name
	}
	return side, arrays, objects, ""
}

// failSet reports a malformed set, at the offending property when there is one.
func (r *nodeReducer) failSet(bad string, lhs node.Node, lhsOK bool, rhs node.Node) error {
	if bad == "." {
		return r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	}
	r.path = append(r.path, pathToken{name: bad, index: -1})
	err := r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	r.path = r.path[:len(r.path)-1]
	return err
}

// setMembers are a term's members: an array's items or an object's fields.
type setMembers struct {
	items  []node.Node
	fields []node.Field
}

func (r *nodeReducer) setMembers(term node.Node) setMembers {
	switch term.Kind() {
	case node.Array:
		return setMembers{items: r.arena.Items(term)}
	case node.Object:
		return setMembers{fields: r.arena.Fields(term)}
	}
	return setMembers{}
}

func (m setMembers) len() int { return len(m.items) + len(m.fields) }

func (m setMembers) value(i int) node.Node {
	if m.items != nil {
		return m.items[i]
	}
	return m.fields[i].Value
}

// compareMembers orders x's i-th member against y's j-th.
func (r *nodeReducer) compareMembers(op *setOp, x setMembers, i int, y setMembers, j int) int {
	if op.arrays {
		return compareAt(r.arena, op.key, x.items[i], y.items[j])
	}
	return strings.Compare(r.arena.Str(x.fields[i].Name), r.arena.Str(y.fields[j].Name))
}

// setTerm builds (lhs op1 sub) op2 rhs. op1 removes members of sub from lhs, or with naught keeps
// only members also in sub (sub null: neither); mask picks op2 (union, intersection or
// difference). Members on both sides are reduced together with the term's annotations. Absent lhs
// and rhs give null. It is a single merge-join over the sorted terms.
func (r *nodeReducer) setTerm(op *setOp, t int, lhs, sub node.Node, naught bool, mask int, rhs node.Node) (node.Node, error) {
	if lhs.Kind() == node.Null && rhs.Kind() == node.Null {
		return node.NullNode, nil
	}
	r.path = append(r.path, pathToken{name: termNames[t], index: -1})
	ann := op.ann.Child(termNames[t])
	l, s, rm := r.setMembers(lhs), r.setMembers(sub), r.setMembers(rhs)
	hasSub := sub.Kind() != node.Null
	fieldMark, itemMark := len(r.fields), len(r.items)
	push := func(m setMembers, i int, v node.Node) {
		if op.arrays {
			r.items = append(r.items, v)
		} else {
			r.fields = append(r.fields, node.Field{Name: m.fields[i].Name, Value: v})
		}
	}
	reduce := func(lv node.Node, lok bool, j int) error {
		var v node.Node
		var deleted bool
		var err error
		if op.arrays {
			v, deleted, err = r.item(j, lv, lok, rm.items[j], ann)
		} else {
			v, deleted, err = r.child(r.arena.Str(rm.fields[j].Name), lv, lok, rm.fields[j].Value, ann)
		}
		if err == nil && !deleted {
			push(rm, j, v)
		}
		return err
	}
	li, si, ri := 0, 0, 0
	var err error
	for err == nil {
		for hasSub && li < l.len() {
			for si < s.len() && r.compareMembers(op, s, si, l, li) < 0 {
				si++
			}
			if found := si < s.len() && r.compareMembers(op, s, si, l, li) == 0; found == naught {
				break
			}
			li++ // subtracted
		}
		if li == l.len() && ri == rm.len() {
			break
		}
		var ord int
		switch {
		case ri == rm.len():
			ord = -1
		case li == l.len():
			ord = 1
		default:
			ord = r.compareMembers(op, l, li, rm, ri)
		}
		switch {
		case ord < 0:
			if mask&keepLeft != 0 {
				push(l, li, l.value(li))
			}
			li++
		case ord > 0:
			if mask&keepRight != 0 {
				err = reduce(node.Node{}, false, ri)
			}
			ri++
		default:
			if mask&keepBoth != 0 {
				err = reduce(l.value(li), true, ri)
			}
			li, ri = li+1, ri+1
		}
	}
	r.path = r.path[:len(r.path)-1]
	if err != nil {
		r.fields, r.items = r.fields[:fieldMark], r.items[:itemMark]
		return node.Node{}, err
	}
	if op.arrays {
		return r.popArray(itemMark), nil
	}
	return r.popObject(fieldMark), nil
}
