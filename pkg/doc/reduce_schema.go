package doc

import (
	"cmp"
	"fmt"

	"github.com/flowctl/flowctl/pkg/node"
)

const generationIDKeyword = "x-collection-generation-id"

// jsonSchemaMerge is Flow's jsonSchemaMerge (see mergeJSONSchemas). Schemas are rare and small
// next to documents, so the subtree is reduced as encoding/json values.
func (r *nodeReducer) jsonSchemaMerge(lhs node.Node, lhsOK bool, rhs node.Node) (node.Node, error) {
	var l any
	if lhsOK {
		l = r.arena.ToAny(lhs)
	}
	out, err := mergeJSONSchemas(l, lhsOK, r.arena.ToAny(rhs))
	switch {
	case err != nil:
		return node.Node{}, r.fail(err, lhs, lhsOK, rhs)
	case !lhsOK:
		return rhs, nil
	}
	return r.arena.FromAny(out), nil
}

// mergeJSONSchemas merges JSON schemas (inferred schemas, in practice): the result is the schema
// of the union of their shapes, written back in Flow's form (`$schema` draft 2019-09, widened
// bounds, keywords of absent types left out), then folded to the complexity limit.
// x-collection-generation-id marks a collection's generation: a newer one on the RHS resets the
// schema to the RHS, an older one is a stale update and is discarded, and an id on one side only
// is kept on the union. A lone schema (no LHS) is kept as written.
func mergeJSONSchemas(lhs any, lhsOK bool, rhs any) (any, error) {
	right, err := parseSchemaShape(rhs, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrJSONSchemaMerge, err)
	}
	if !lhsOK {
		return rhs, nil
	}
	left, err := parseSchemaShape(lhs, "")
	if err != nil {
		return nil, fmt.Errorf("%w (the LHS): %w", ErrJSONSchemaMerge, err)
	}
	limit := complexityLimit(right)

	lg, lgOK := left.annotations[generationIDKeyword].(string)
	rg, rgOK := right.annotations[generationIDKeyword].(string)
	var merged *schemaShape
	switch {
	case lgOK && rgOK && lg < rg:
		merged = right // the LHS is of an older generation: reset
	case lgOK && rgOK && lg > rg:
		merged = left // the RHS is a stale update of an older generation
	case lgOK != rgOK:
		merged = unionShapes(left, right)
		if merged.annotations == nil {
			merged.annotations = map[string]any{}
		}
		merged.annotations[generationIDKeyword] = cmp.Or(lg, rg)
	default:
		merged = unionShapes(left, right)
	}
	enforceComplexity(merged, limit)
	return toSchema(merged), nil
}
