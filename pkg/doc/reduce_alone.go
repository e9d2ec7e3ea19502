package doc

import (
	"maps"
	"strconv"

	"github.com/flowctl/flowctl/pkg/schema"
)

// A full reduction of a document with no LHS (the usual case: a key seen once) changes the
// document only where a strategy says so. These reduce an object or array alone and return rhs
// itself unless some child differs, instead of copying every container of the document.

// childAlone reduces one property or item that has no LHS and reports whether the result differs
// from v: then the caller must copy its container.
func (r *reducer) childAlone(token string, v any, ann *schema.Annotation) (out any, differs, deleted bool, err error) {
	changed, rebuilt := r.changed, r.rebuilt
	r.changed, r.rebuilt = false, false
	out, deleted, err = r.child(token, nil, false, v, ann)
	differs = r.changed || r.rebuilt || deleted
	r.changed, r.rebuilt = changed || r.changed, rebuilt || r.rebuilt
	return out, differs, deleted, err
}

// mergeObjectAlone reduces rhs's properties alone, copying rhs at the first property that
// differs.
func (r *reducer) mergeObjectAlone(rhs map[string]any, ann *schema.Annotation) (any, error) {
	var out map[string]any
	err := r.eachProperty(rhs, func(prop string, rv any) error {
		v, differs, deleted, err := r.childAlone(prop, rv, ann)
		switch {
		case err != nil:
			return err
		case !differs:
			return nil
		case out == nil:
			out = maps.Clone(rhs)
		}
		if deleted {
			delete(out, prop)
		} else {
			out[prop] = v
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case out == nil:
		return rhs, nil
	}
	return out, nil
}

// mergeArrayAlone reduces rhs's items alone, copying rhs from the first item that differs.
func (r *reducer) mergeArrayAlone(rhs []any, ann *schema.Annotation) (any, error) {
	var out []any
	copying := false
	for i, item := range rhs {
		v, differs, deleted, err := r.childAlone(strconv.Itoa(i), item, ann)
		if err != nil {
			return nil, err
		}
		if differs && !copying {
			out, copying = append(make([]any, 0, len(rhs)), rhs[:i]...), true
		}
		if copying && !deleted {
			out = append(out, v)
		}
	}
	if !copying {
		return rhs, nil
	}
	return out, nil
}
