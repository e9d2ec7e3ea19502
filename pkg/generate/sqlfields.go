package generate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
)

// selectFields chooses the fields of a binding from the connector's constraints and the
// binding's `fields` (flow-spec 6.2, 9.3).
//
// Private stand-in for pkg/connector/fieldsel, which is being written: once it exports its
// selection, this file goes and generate calls it, so that generate and the runtime agree.
func selectFields(coll *connector.CollectionSpec, constraints map[string]connector.Constraint,
	fields *catalog.FieldSelection, delta bool) (connector.FieldSelection, error) {
	depth, require, exclude := -1, map[string]any{}, map[string]bool{}
	var groupBy []string
	if fields != nil {
		depth, require, groupBy = fields.Recommended, fields.Require, fields.GroupBy
		for _, f := range fields.Exclude {
			exclude[f] = true
		}
	}
	var out connector.FieldSelection
	if len(groupBy) == 0 {
		for _, k := range coll.Key {
			groupBy = append(groupBy, k[1:])
		}
	}
	selectedPtr := map[string]string{} // location → field that holds it
	for _, f := range groupBy {
		p := coll.Projection(f)
		if p == nil {
			return out, fmt.Errorf("group-by field %q is not a projection of collection %s", f, coll.Name)
		}
		if exclude[f] {
			return out, fmt.Errorf("field %q of collection %s is both excluded and part of the key; remove it from `exclude`", f, coll.Name)
		}
		out.Keys = append(out.Keys, f)
		selectedPtr[p.Ptr] = f
	}
	for _, p := range coll.Projections {
		if p.Ptr == "" && out.Document == "" && !exclude[p.Field] {
			if c := constraints[p.Field]; !delta || c.Type == connector.LocationRequired || depth != 0 || require[p.Field] != nil {
				out.Document = p.Field
			}
		}
	}
	if out.Document == "" && !delta {
		return out, fmt.Errorf("the root document of collection %s must be materialized by a standard-updates binding; do not exclude it", coll.Name)
	}

	// Candidates are decided in Flow's precedence: required by the user or the connector, partition
	// keys and user-defined projections, then what the desired depth recommends.
	candidates := make([]connector.Projection, 0, len(coll.Projections))
	for _, p := range coll.Projections {
		if p.Ptr != "" && !contains(out.Keys, p.Field) {
			candidates = append(candidates, p)
		}
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		return precedence(candidates[i], require, constraints) < precedence(candidates[j], require, constraints)
	})
	for _, p := range candidates {
		c := constraints[p.Field]
		_, required := require[p.Field]
		mustSelect := c.Type == connector.FieldRequired || c.Type == connector.LocationRequired
		switch {
		case exclude[p.Field] && mustSelect:
			return out, fmt.Errorf("field %q of collection %s is excluded, but the connector requires it: %s", p.Field, coll.Name, c.Reason)
		case exclude[p.Field]:
			continue
		case required && (c.Type == connector.FieldForbidden || c.Type == connector.Incompatible):
			return out, fmt.Errorf("field %q of collection %s is required by the binding, but the connector cannot take it: %s", p.Field, coll.Name, c.Reason)
		case c.Type == connector.FieldForbidden || c.Type == connector.Incompatible:
			continue
		}
		if !required && !mustSelect {
			if _, dup := selectedPtr[p.Ptr]; dup {
				continue // the location is already materialized under another field
			}
			if !p.IsPartitionKey && !p.Explicit && !recommended(p, c, depth, coll) {
				continue
			}
		}
		selectedPtr[p.Ptr] = p.Field
		out.Values = append(out.Values, p.Field)
	}
	sort.Strings(out.Values)
	for f := range require {
		if coll.Projection(f) == nil {
			return out, fmt.Errorf("required field %q is not a projection of collection %s", f, coll.Name)
		}
	}
	return out, nil
}

// precedence ranks how strongly a field is asked for: lower first.
func precedence(p connector.Projection, require map[string]any, constraints map[string]connector.Constraint) int {
	c := constraints[p.Field].Type
	_, required := require[p.Field]
	switch {
	case required:
		return 0
	case c == connector.FieldRequired || c == connector.LocationRequired:
		return 1
	case p.IsPartitionKey:
		return 2
	case p.Explicit:
		return 3
	}
	return 4
}

// recommended is the desired-depth rule: recommended locations up to the depth (-1: any depth);
// objects only when no projection lies beneath them; `_meta` locations other than the
// publication time and the operation never.
func recommended(p connector.Projection, c connector.Constraint, depth int, coll *connector.CollectionSpec) bool {
	if depth == 0 {
		return false
	}
	if p.Ptr == "/_meta/uuid" || p.Ptr == "/_meta/op" {
		return true
	}
	if strings.HasPrefix(p.Ptr, "/_meta/") {
		return false
	}
	if depth > 0 && strings.Count(p.Ptr, "/") > depth {
		return false
	}
	switch c.Type {
	case connector.LocationRecommended:
		return true
	case connector.FieldOptional:
		return !hasProjectedChild(p.Ptr, depth, coll)
	}
	return false
}

func hasProjectedChild(ptr string, depth int, coll *connector.CollectionSpec) bool {
	for _, q := range coll.Projections {
		if strings.HasPrefix(q.Ptr, ptr+"/") && (depth < 0 || strings.Count(q.Ptr, "/") <= depth) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
