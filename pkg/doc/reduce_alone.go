package doc

import (
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// A full reduction of a document with no LHS (the usual case: a key seen once) changes the
// document only where a strategy says so. mergeObjectAlone and mergeArrayAlone return rhs itself
// unless some child's result differs from it, instead of copying every container.

// mergeObjectAlone reduces rhs's properties alone, copying rhs from the first one that differs.
func (r *nodeReducer) mergeObjectAlone(rhs node.Node, ann *schema.Annotation) (node.Node, error) {
	a := r.arena
	rf := a.Fields(rhs)
	mark, copying := len(r.fields), false
	for i, f := range rf {
		v, deleted, err := r.child(a.Str(f.Name), node.Node{}, false, f.Value, ann)
		if err != nil {
			r.fields = r.fields[:mark]
			return node.Node{}, err
		}
		if !copying && (deleted || v != f.Value) {
			r.fields, copying = append(r.fields, rf[:i]...), true
		}
		if copying && !deleted {
			r.fields = append(r.fields, node.Field{Name: f.Name, Value: v})
		}
	}
	if !copying {
		return rhs, nil
	}
	return r.popObject(mark), nil
}

// mergeArrayAlone reduces rhs's items alone, copying rhs from the first one that differs.
func (r *nodeReducer) mergeArrayAlone(rhs node.Node, ann *schema.Annotation) (node.Node, error) {
	ra := r.arena.Items(rhs)
	mark, copying := len(r.items), false
	for i, item := range ra {
		v, deleted, err := r.item(i, node.Node{}, false, item, ann)
		if err != nil {
			r.items = r.items[:mark]
			return node.Node{}, err
		}
		if !copying && (deleted || v != item) {
			r.items, copying = append(r.items, ra[:i]...), true
		}
		if copying && !deleted {
			r.items = append(r.items, v)
		}
	}
	if !copying {
		return rhs, nil
	}
	return r.popArray(mark), nil
}
