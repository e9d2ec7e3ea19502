package doc

import (
	"encoding/json"
	"slices"
)

const generationIDKeyword = "x-collection-generation-id"

// jsonSchemaMerge unions two JSON schemas (as used for inferred schemas): the result accepts
// what either accepts. It covers the keywords inference emits (type, properties, required,
// items, additionalProperties, numeric and length bounds, format, enum); any other keyword is
// kept only when both sides agree. A newer x-collection-generation-id on the RHS resets the
// schema; an older one is discarded.
func (r *reducer) jsonSchemaMerge(lhs any, lhsOK bool, rhs any) (any, error) {
	rs, ok := rhs.(map[string]any)
	if !ok {
		return nil, r.fail(ErrJSONSchemaMerge, lhs, lhsOK, rhs)
	}
	if !lhsOK {
		return rhs, nil
	}
	ls, ok := lhs.(map[string]any)
	if !ok {
		return nil, r.fail(ErrJSONSchemaMerge, lhs, lhsOK, rhs)
	}
	lg, lgOK := ls[generationIDKeyword].(string)
	rg, rgOK := rs[generationIDKeyword].(string)
	switch {
	case lgOK && rgOK && rg > lg, !lgOK && rgOK:
		return rhs, nil
	case lgOK && rgOK && rg < lg:
		return lhs, nil
	}
	out := unionSchemas(ls, rs)
	out["$schema"] = "https://json-schema.org/draft/2019-09/schema"
	return out, nil
}

func unionSchemas(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, av := range a {
		if bv, ok := b[k]; ok && Compare(av, bv) == 0 {
			out[k] = av
		}
	}
	if t := unionTypes(a["type"], b["type"]); t != nil {
		out["type"] = t
	} else {
		delete(out, "type")
	}
	ap, _ := a["properties"].(map[string]any)
	bp, _ := b["properties"].(map[string]any)
	if ap != nil || bp != nil {
		props := map[string]any{}
		for k, v := range ap {
			props[k] = v
		}
		for k, v := range bp {
			if av, ok := props[k].(map[string]any); ok {
				if bv, ok := v.(map[string]any); ok {
					props[k] = unionSchemas(av, bv)
					continue
				}
			}
			props[k] = v
		}
		out["properties"] = props
	}
	if ai, ok := a["items"].(map[string]any); ok {
		if bi, ok := b["items"].(map[string]any); ok {
			out["items"] = unionSchemas(ai, bi)
		}
	}
	if req := intersectStrings(a["required"], b["required"]); req != nil {
		out["required"] = req
	}
	widen(out, a, b, "minimum", -1)
	widen(out, a, b, "minLength", -1)
	widen(out, a, b, "maximum", 1)
	widen(out, a, b, "maxLength", 1)
	if ae, ok := a["enum"].([]any); ok {
		if be, ok := b["enum"].([]any); ok {
			merged := append(slices.Clone(ae), be...)
			slices.SortFunc(merged, Compare)
			out["enum"] = slices.CompactFunc(merged, func(x, y any) bool { return Compare(x, y) == 0 })
		}
	}
	return out
}

// widen keeps the looser of two bounds (dir -1: the smaller, 1: the larger); a bound on one
// side only is dropped, since the other side is unbounded.
func widen(out, a, b map[string]any, kw string, dir int) {
	an, aok := a[kw].(json.Number)
	bn, bok := b[kw].(json.Number)
	if !aok || !bok {
		delete(out, kw)
		return
	}
	if Compare(an, bn)*dir >= 0 {
		out[kw] = an
	} else {
		out[kw] = bn
	}
}

func unionTypes(a, b any) any {
	as, aok := typeList(a)
	bs, bok := typeList(b)
	if !aok || !bok {
		return nil // an unconstrained side admits every type
	}
	all := append(as, bs...)
	slices.Sort(all)
	all = slices.Compact(all)
	if slices.Contains(all, "number") {
		all = slices.DeleteFunc(all, func(t string) bool { return t == "integer" })
	}
	out := make([]any, len(all))
	for i, t := range all {
		out[i] = t
	}
	return out
}

func typeList(v any) ([]string, bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}

func intersectStrings(a, b any) []any {
	al, _ := a.([]any)
	bl, _ := b.([]any)
	var out []any
	for _, x := range al {
		if slices.ContainsFunc(bl, func(y any) bool { return Compare(x, y) == 0 }) {
			out = append(out, x)
		}
	}
	return out
}
