package materialize

import (
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// constraints are what a SQL materialization asks of each projected field (flow-spec 6.4).
// multipleOK says whether the database can hold a field of several types (as JSON); fold, when
// not nil, is the endpoint's name of a field where it differs from the field (foldedField).
func constraints(coll *connector.CollectionSpec, delta, multipleOK bool, fold func(string) string) map[string]connector.Constraint {
	isKey := map[string]bool{}
	for _, k := range coll.Key {
		isKey[k] = true
	}
	out := make(map[string]connector.Constraint, len(coll.Projections))
	for i := range coll.Projections {
		p := &coll.Projections[i]
		c := constraintOf(p, isKey[p.Ptr], delta, multipleOK)
		if fold != nil {
			c.FoldedField = fold(p.Field)
		}
		out[p.Field] = c
	}
	return out
}

func constraintOf(p *connector.Projection, isKey, delta, multipleOK bool) connector.Constraint {
	c := func(t connector.ConstraintType, reason string) connector.Constraint {
		return connector.Constraint{Type: t, Reason: reason}
	}
	typ := flatType(&p.Inference)
	switch {
	case isKey:
		return c(connector.LocationRequired, "All Locations that are part of the collections key are required")
	case p.Ptr == "" && !delta:
		return c(connector.LocationRequired, "The root document is required for a standard updates materialization")
	case p.Ptr == "":
		return c(connector.LocationRecommended, "The root document should usually be materialized")
	case len(p.Inference.Types) == 0:
		return c(connector.FieldForbidden, "Cannot materialize a field with no types")
	case p.Ptr == "/_meta/op":
		return c(connector.LocationRecommended, "The operation type should usually be materialized")
	case strings.HasPrefix(p.Ptr, "/_meta/"):
		return c(connector.FieldOptional, "Metadata fields are able to be materialized")
	case typ == "":
		return c(connector.FieldForbidden, "Cannot materialize a field where the only possible type is 'null'")
	case typ == "object":
		return c(connector.FieldOptional, "Object fields may be materialized")
	case typ == "multiple" && !multipleOK:
		return c(connector.FieldForbidden, "This database cannot store a field of several types")
	case typ == "multiple" || typ == "array":
		return c(connector.LocationRecommended, "This location is part of the current schema")
	default:
		return c(connector.LocationRecommended, "The projection has a single scalar type")
	}
}
