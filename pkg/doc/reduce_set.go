package doc

import (
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// Terms of a set location, in the order Flow reduces them.
const (
	termAdd = iota
	termIntersect
	termRemove
)

var termNames = [3]string{"add", "intersect", "remove"}

// setSide is one side's terms. Each term is absent (nil), a map (object form, members are
// properties) or a []any sorted by the set key (array form).
type setSide [3]any

// Which members of a merge-join a term keeps.
const (
	keepLeft  = 1
	keepRight = 2
	keepBoth  = 4
	keepUnion = keepLeft | keepRight | keepBoth
)

// set reduces a location holding {add, intersect, remove} terms: RHS removes (or intersects)
// members of the LHS, then RHS additions are unioned in, and members added on both sides are
// reduced together, so a set also works as a map. Full reductions drop intersect and remove.
func (r *reducer) set(lhs any, lhsOK bool, rhs any, ann *schema.Annotation, key []Pointer) (any, error) {
	var ls setSide
	lhsArrays, lhsObjects := false, false
	if lhsOK {
		var bad string
		if ls, lhsArrays, lhsObjects, bad = setTerms(lhs); bad != "" {
			return nil, r.failSet(bad, lhs, lhsOK, rhs)
		}
	}
	rs, rhsArrays, rhsObjects, bad := setTerms(rhs)
	if bad != "" {
		return nil, r.failSet(bad, lhs, lhsOK, rhs)
	}
	if (lhsArrays || rhsArrays) && (lhsObjects || rhsObjects) {
		return nil, r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	}
	var err error
	b := setBuilder{r: r, ann: ann, key: key, arrays: !(lhsObjects || rhsObjects)}

	out := make(map[string]any, 2)
	var add, other any
	var otherTerm int
	switch {
	case ls[termIntersect] != nil && rs[termIntersect] != nil:
		// add: (LA ∩ RI) ∪ RA; intersect: LI ∩ RI.
		add, err = b.term(termAdd, ls[termAdd], rs[termIntersect], true, keepUnion, rs[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = b.term(termIntersect, ls[termIntersect], nil, false, keepBoth, rs[termIntersect])
		}
	case ls[termIntersect] != nil:
		// add: (LA - RR) ∪ RA; intersect: LI - RR.
		add, err = b.term(termAdd, ls[termAdd], rs[termRemove], false, keepUnion, rs[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = b.term(termIntersect, ls[termIntersect], nil, false, keepLeft, rs[termRemove])
		}
	case rs[termIntersect] != nil:
		// add: (LA ∩ RI) ∪ RA; intersect: RI - LR.
		add, err = b.term(termAdd, ls[termAdd], rs[termIntersect], true, keepUnion, rs[termAdd])
		otherTerm = termIntersect
		if err == nil && !r.full {
			other, err = b.term(termIntersect, ls[termRemove], nil, false, keepRight, rs[termIntersect])
		}
	default:
		// add: (LA - RR) ∪ RA; remove: LR ∪ RR.
		add, err = b.term(termAdd, ls[termAdd], rs[termRemove], false, keepUnion, rs[termAdd])
		otherTerm = termRemove
		if err == nil && !r.full {
			other, err = b.term(termRemove, ls[termRemove], nil, false, keepUnion, rs[termRemove])
		}
	}
	if err != nil {
		return nil, err
	}
	if add != nil {
		out["add"] = add
	}
	if other != nil {
		out[termNames[otherTerm]] = other
	}
	if r.full && (rs[termIntersect] != nil || rs[termRemove] != nil) {
		r.changed = true
	}
	r.rebuilt = true // terms are rebuilt in members' order, not necessarily as they came
	return out, nil
}

// setTerms destructures one side, reporting which forms its terms take. bad is "." when v is not
// an object, or the offending property.
func setTerms(v any) (side setSide, arrays, objects bool, bad string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return side, false, false, "."
	}
	for _, prop := range sortedKeys(obj) {
		term := -1
		for i, name := range termNames {
			if prop == name {
				term = i
			}
		}
		switch obj[prop].(type) {
		case []any:
			arrays = true
		case map[string]any:
			objects = true
		default:
			term = -1
		}
		if term < 0 || (term == termRemove && side[termIntersect] != nil) {
			return side, false, false, prop
		}
		side[term] = obj[prop]
	}
	return side, arrays, objects, ""
}

// failSet reports a malformed set, at the offending property when there is one.
func (r *reducer) failSet(bad string, lhs any, lhsOK bool, rhs any) error {
	if bad == "." {
		return r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	}
	r.path = append(r.path, bad)
	err := r.fail(ErrSetWrongType, lhs, lhsOK, rhs)
	r.path = r.path[:len(r.path)-1]
	return err
}

type setBuilder struct {
	r      *reducer
	ann    *schema.Annotation
	key    []Pointer
	arrays bool
}

// term builds (lhs op1 sub) op2 rhs. op1 removes members of sub from lhs, or with naught keeps
// only members also in sub; mask picks op2 (union, intersection or difference). Members on both
// sides are reduced together with the RHS term's annotations. Absent lhs and rhs give nil.
func (b setBuilder) term(name int, lhs, sub any, naught bool, mask int, rhs any) (any, error) {
	if lhs == nil && rhs == nil {
		return nil, nil
	}
	b.r.path = append(b.r.path, termNames[name])
	defer func() { b.r.path = b.r.path[:len(b.r.path)-1] }()
	ann := b.ann.Child(termNames[name])

	lm, rm := b.members(lhs), b.members(rhs)
	if sub != nil {
		lm = b.subtract(lm, b.members(sub), naught)
	}
	var out []member
	li, ri := 0, 0
	for li < len(lm) || ri < len(rm) {
		var ord int
		switch {
		case ri == len(rm):
			ord = -1
		case li == len(lm):
			ord = 1
		default:
			ord = b.compare(lm[li], rm[ri])
		}
		switch {
		case ord < 0:
			if mask&keepLeft != 0 {
				out = append(out, lm[li])
			}
			li++
		case ord > 0:
			if mask&keepRight != 0 {
				m, keep, err := b.reduceMember(nil, false, rm[ri], ann)
				if err != nil {
					return nil, err
				}
				if keep {
					out = append(out, m)
				}
			}
			ri++
		default:
			if mask&keepBoth != 0 {
				m, keep, err := b.reduceMember(lm[li].value, true, rm[ri], ann)
				if err != nil {
					return nil, err
				}
				if keep {
					out = append(out, m)
				}
			}
			li, ri = li+1, ri+1
		}
	}
	return b.build(out), nil
}

// member is a set member: a property and its value, or an array item and its index.
type member struct {
	name  string
	index int
	value any
}

func (b setBuilder) members(term any) []member {
	switch t := term.(type) {
	case []any:
		out := make([]member, len(t))
		for i, v := range t {
			out[i] = member{index: i, value: v}
		}
		return out
	case map[string]any:
		out := make([]member, 0, len(t))
		for _, k := range sortedKeys(t) {
			out = append(out, member{name: k, value: t[k]})
		}
		return out
	}
	return nil
}

func (b setBuilder) compare(l, r member) int {
	if b.arrays {
		return compareAt(b.key, l.value, r.value)
	}
	return strings.Compare(l.name, r.name)
}

func (b setBuilder) subtract(lhs, sub []member, naught bool) []member {
	var out []member
	si := 0
	for _, l := range lhs {
		for si < len(sub) && b.compare(sub[si], l) < 0 {
			si++
		}
		found := si < len(sub) && b.compare(sub[si], l) == 0
		if found == naught {
			out = append(out, l)
		}
	}
	return out
}

func (b setBuilder) reduceMember(lhs any, lhsOK bool, rhs member, ann *schema.Annotation) (member, bool, error) {
	token := rhs.name
	if b.arrays {
		token = strconv.Itoa(rhs.index)
	}
	v, deleted, err := b.r.child(token, lhs, lhsOK, rhs.value, ann)
	rhs.value = v
	return rhs, !deleted, err
}

func (b setBuilder) build(members []member) any {
	if b.arrays {
		out := make([]any, len(members))
		for i, m := range members {
			out[i] = m.value
		}
		return out
	}
	out := make(map[string]any, len(members))
	for _, m := range members {
		out[m.name] = m.value
	}
	return out
}
