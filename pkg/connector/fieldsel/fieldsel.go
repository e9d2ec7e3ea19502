// Package fieldsel chooses the fields a materialization binding writes, from the collection's
// projections, the connector's constraints and the user's `fields` stanza, as Flow's build does
// (crates/validation/src/field_selection.rs and materialization.rs).
package fieldsel

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// Select returns the binding's field selection, or every reason it cannot be satisfied: errors
// of the stanza itself, else each conflict (as a *Conflict). An incompatible field is reported
// too, as Flow's `onIncompatibleSchemaChange: abort` does; Evaluate leaves that choice to the
// caller.
func Select(coll *connector.CollectionSpec, constraints map[string]connector.Constraint, stanza Stanza) (connector.FieldSelection, []error) {
	res, errs := Evaluate(coll, constraints, stanza, false)
	if len(errs) > 0 {
		return connector.FieldSelection{}, errs
	}
	for i := range res.Conflicts {
		errs = append(errs, &res.Conflicts[i])
	}
	return res.Selection, errs
}

// Result is a binding's evaluated field selection.
type Result struct {
	// Selection holds the keys, the values and the document. When every conflict is
	// Incompatible it is the selection that holds once the binding is backfilled.
	Selection connector.FieldSelection
	// Outcomes holds what became of every field named by a projection, a constraint or the
	// stanza.
	Outcomes map[string]Outcome
	// Conflicts are ordered by field.
	Conflicts []Conflict
}

// Evaluate selects fields as Flow's build does. caseInsensitive is the connector's
// `caseInsensitiveFields`: endpoint names (a constraint's foldedField, else the field) then
// collide regardless of case. The errors are those of the stanza (unknown fields, a groupBy of
// a type that cannot be a key); Flow stops before selecting fields when there are any, and so
// does Evaluate.
func Evaluate(coll *connector.CollectionSpec, constraints map[string]connector.Constraint, stanza Stanza, caseInsensitive bool) (Result, []error) {
	groupBy, errs := checkStanza(coll, stanza)
	if len(errs) > 0 {
		return Result{}, errs
	}
	fields := candidates(coll, constraints, stanza, groupBy)
	document, outcomes := walk(fields, caseInsensitive)
	return build(groupBy, document, outcomes, stanza), nil
}

// checkStanza is Flow's walk_materialization_fields: every named field must be a projection
// and groupBy fields must be keyable. It returns the effective group-by: the stanza's, else the
// canonical fields of the collection key.
func checkStanza(coll *connector.CollectionSpec, stanza Stanza) ([]string, []error) {
	var errs []error
	missing := func(category, field string) {
		errs = append(errs, fmt.Errorf("%s projection %s does not exist in collection %s", category, field, coll.Name))
	}
	var groupBy []string
	for _, field := range stanza.GroupBy {
		p := coll.Projection(field)
		if p == nil {
			missing("groupBy", field)
			continue
		}
		if !keyable(p.Inference.Types) {
			errs = append(errs, fmt.Errorf("groupBy field %s accepts %s, but groupBy locations may only be null-able integers, strings, or booleans",
				field, quoteTypes(p.Inference.Types)))
		}
		groupBy = append(groupBy, field)
	}
	if len(groupBy) == 0 {
		for _, ptr := range coll.Key {
			groupBy = append(groupBy, strings.TrimPrefix(ptr, "/"))
		}
	}
	for _, field := range slices.Sorted(maps.Keys(stanza.Require)) {
		if coll.Projection(field) == nil {
			missing("required", field)
		}
	}
	for _, field := range stanza.Exclude {
		if coll.Projection(field) == nil {
			missing("exclude", field)
		}
	}
	return groupBy, errs
}

// candidate is one field with its top-ranked select and reject reasons, its projection (nil when the
// collection has none of that name) and the name the endpoint gives it.
type candidate struct {
	field      string
	sel        *SelectReason
	rej        *RejectReason
	projection *connector.Projection
	folded     string // the constraint's foldedField, else the field
}

// candidates is Flow's extract_constraints and the joins of group_outcomes: every field named by
// the group-by, the stanza, a projection or a constraint, with its highest reasons.
func candidates(coll *connector.CollectionSpec, constraints map[string]connector.Constraint, stanza Stanza, groupBy []string) []*candidate {
	byField := map[string]*candidate{}
	get := func(field string) *candidate {
		c := byField[field]
		if c == nil {
			c = &candidate{field: field}
			byField[field] = c
		}
		return c
	}
	selectFor := func(field string, s SelectReason) {
		if c := get(field); c.sel == nil || s.compare(*c.sel) > 0 {
			c.sel = &s
		}
	}
	rejectFor := func(field string, r RejectReason) {
		if c := get(field); c.rej == nil || r.compare(*c.rej) > 0 {
			c.rej = &r
		}
	}

	for _, field := range groupBy {
		selectFor(field, SelectReason{Kind: GroupByKey})
	}
	for field := range stanza.Require {
		selectFor(field, SelectReason{Kind: UserRequires})
	}
	for _, field := range stanza.Exclude {
		rejectFor(field, RejectReason{Kind: UserExcludes})
	}

	projections := make([]*connector.Projection, len(coll.Projections))
	for i := range coll.Projections {
		p := &coll.Projections[i]
		projections[i] = p
		if c := get(p.Field); c.projection == nil {
			c.projection = p // Flow keeps the first projection of a name
		}
	}
	// In pointer order, a location's projected children follow it directly.
	sort.SliceStable(projections, func(i, j int) bool { return projections[i].Ptr < projections[j].Ptr })
	for i, p := range projections {
		if p.IsPartitionKey {
			selectFor(p.Field, SelectReason{Kind: PartitionKey})
		}
		if stanza.Recommended != 0 && p.Explicit {
			selectFor(p.Field, SelectReason{Kind: UserDefined})
		}
		if stanza.Recommended != 0 && (p.Field == "flow_published_at" || p.Field == "_meta/op") {
			selectFor(p.Field, SelectReason{Kind: CoreMetadata})
		}
		hasChild := i+1 < len(projections) && isParentOf(p.Ptr, projections[i+1].Ptr)
		if desired(p, stanza.Recommended, hasChild) {
			selectFor(p.Field, SelectReason{Kind: DesiredDepth})
		}
	}

	for field, c := range constraints {
		switch c.Type {
		case connector.FieldRequired:
			selectFor(field, SelectReason{Kind: ConnectorRequires, Reason: c.Reason})
		case connector.LocationRequired:
			selectFor(field, SelectReason{Kind: ConnectorRequiresLocation, Reason: c.Reason})
		case connector.FieldForbidden:
			rejectFor(field, RejectReason{Kind: ConnectorForbids, Reason: c.Reason})
		case connector.Incompatible:
			rejectFor(field, RejectReason{Kind: ConnectorIncompatible, Reason: c.Reason})
		default:
			get(field) // recommended and optional fields are neither selected nor rejected
		}
	}

	out := make([]*candidate, 0, len(byField))
	for field, c := range byField {
		c.folded = field
		if k, ok := constraints[field]; !ok {
			rejectFor(field, RejectReason{Kind: ConnectorOmits})
		} else if k.FoldedField != "" {
			c.folded = k.FoldedField
		}
		out = append(out, c)
	}
	// Flow walks fields on descending select reason (none lowest), among equals preferring one that is
	// not incompatible, so it claims a shared location first; then by field name.
	slices.SortFunc(out, func(a, b *candidate) int {
		if d := compareSelect(b.sel, a.sel); d != 0 {
			return d
		}
		if ai, bi := incompatible(a.rej), incompatible(b.rej); ai != bi {
			if ai {
				return 1
			}
			return -1
		}
		return strings.Compare(a.field, b.field)
	})
	return out
}

func compareSelect(a, b *SelectReason) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.compare(*b)
}

func incompatible(r *RejectReason) bool { return r != nil && r.Kind == ConnectorIncompatible }

// desired is Flow's DesiredDepth: nothing at depth 0 (`false`); never `/_meta…` locations (a
// plain prefix, as Flow tests it); everything at the depth limit; nothing beneath it; above it
// every location that is not an object, and objects without projected children unless the
// depth is `true`.
func desired(p *connector.Projection, limit int, hasChild bool) bool {
	depth := strings.Count(p.Ptr, "/")
	switch {
	case limit == 0:
		return false
	case strings.HasPrefix(p.Ptr, "/_meta"):
		return false
	case limit > 0 && depth == limit:
		return true
	case limit > 0 && depth > limit:
		return false
	case !onlyObject(p.Inference.Types):
		return true
	}
	return !hasChild && limit != AnyDepth
}

// onlyObject reports whether types are object, or object and null.
func onlyObject(types []string) bool {
	var object bool
	for _, t := range types {
		switch t {
		case "object":
			object = true
		case "null":
		default:
			return false
		}
	}
	return object
}

// walk is the loop of Flow's group_outcomes: fields in rank order claim their location and their
// endpoint name; later fields of a claimed name are DuplicateFold, of a claimed location
// DuplicateLocation, beneath one CoveredLocation, beneath an excluded canonical field
// ExcludedParent. It returns the document field (the first selected root projection) and each
// field's outcome.
func walk(fields []*candidate, caseInsensitive bool) (string, map[string]Outcome) {
	var excludedPtrs []string
	for _, c := range fields {
		if c.rej != nil && c.rej.Kind == UserExcludes && c.projection != nil &&
			len(c.projection.Ptr) > 1 && c.projection.Ptr[1:] == c.field {
			excludedPtrs = append(excludedPtrs, c.projection.Ptr)
		}
	}
	var (
		document     string
		outcomes     = make(map[string]Outcome, len(fields))
		selectedFold = map[string]string{} // endpoint name → the field that claimed it
		selectedPtrs []string
	)
	reject := func(c *candidate, r RejectReason) {
		if c.rej == nil || r.compare(*c.rej) > 0 {
			c.rej = &r
		}
	}
	for _, c := range fields {
		ptr := ""
		if c.projection != nil {
			ptr = c.projection.Ptr
		} else {
			reject(c, RejectReason{Kind: CollectionOmits})
		}
		foldKey := c.folded
		if caseInsensitive {
			foldKey = strings.ToLower(foldKey)
		}
		if other, ok := selectedFold[foldKey]; ok {
			reject(c, RejectReason{Kind: DuplicateFold, FoldedField: c.folded, OtherField: other})
		}

		switch {
		case slices.Contains(selectedPtrs, ptr):
			if c.sel == nil || c.sel.Kind == CoreMetadata || c.sel.Kind == DesiredDepth || c.sel.Kind == ConnectorRequiresLocation {
				c.sel = nil // the location is materialized by the field that claimed it
				reject(c, RejectReason{Kind: DuplicateLocation})
			}
		case slices.ContainsFunc(selectedPtrs, func(parent string) bool { return isParentOf(parent, ptr) }):
			if c.sel == nil || c.sel.Kind == DesiredDepth {
				c.sel = nil
				reject(c, RejectReason{Kind: CoveredLocation})
			}
		case slices.ContainsFunc(excludedPtrs, func(parent string) bool { return isParentOf(parent, ptr) }):
			if c.sel == nil || c.sel.Kind == DesiredDepth {
				c.sel = nil
				reject(c, RejectReason{Kind: ExcludedParent})
			}
		}

		var o Outcome
		switch {
		case c.sel == nil && c.rej == nil:
			o.Reject = &RejectReason{Kind: NotSelected}
		case c.sel == nil:
			o.Reject = c.rej
		case c.rej == nil:
			o.Select = c.sel
		case c.rej.Kind == ConnectorIncompatible:
			o.Select, o.Reject = c.sel, c.rej // always a conflict, whatever the select reason
		case overridable(c.sel.Kind):
			o.Reject = c.rej
		default:
			o.Select, o.Reject = c.sel, c.rej
		}

		if o.Select != nil {
			if ptr != "" {
				selectedPtrs = append(selectedPtrs, ptr)
			} else if document == "" {
				document = c.field
			}
			selectedFold[foldKey] = c.field
		}
		outcomes[c.field] = o
	}
	return document, outcomes
}

// overridable reports whether a reject reason quietly wins over a select reason of kind k;
// others conflict with it.
func overridable(k SelectKind) bool {
	switch k {
	case DesiredDepth, CoreMetadata, UserDefined, CurrentValue, PartitionKey:
		return true
	}
	return false
}

// build is Flow's build_selection: values are the selected fields other than the document and
// the group-by, in field order; conflicts are collected in field order, and an incompatible
// field stays selected (the selection presumes a backfill).
func build(groupBy []string, document string, outcomes map[string]Outcome, stanza Stanza) Result {
	res := Result{Outcomes: outcomes, Selection: connector.FieldSelection{Keys: groupBy, Document: document}}
	for _, field := range slices.Sorted(maps.Keys(outcomes)) {
		o := outcomes[field]
		if o.Select == nil {
			continue
		}
		if o.Reject != nil {
			res.Conflicts = append(res.Conflicts, Conflict{Field: field, Select: *o.Select, Reject: *o.Reject})
			if o.Reject.Kind != ConnectorIncompatible {
				continue
			}
		}
		if field != document && !slices.Contains(groupBy, field) {
			res.Selection.Values = append(res.Selection.Values, field)
		}
	}
	for field, cfg := range stanza.Require {
		if len(cfg) == 0 {
			continue // no config given (Go callers); a catalog's `null` is passed on, as Flow does
		}
		if res.Selection.FieldConfig == nil {
			res.Selection.FieldConfig = map[string]json.RawMessage{}
		}
		res.Selection.FieldConfig[field] = cfg
	}
	return res
}

func isParentOf(parent, ptr string) bool {
	return len(ptr) > len(parent) && strings.HasPrefix(ptr, parent) && ptr[len(parent)] == '/'
}

// keyable is Flow's is_keyable_type: without null, exactly boolean, integer, number (integer or
// fractional) or string.
func keyable(types []string) bool {
	var n int
	var number bool
	for _, t := range types {
		switch t {
		case "null":
		case "integer", "number", "fractional":
			number = true
		case "boolean", "string":
			n++
		default:
			return false
		}
	}
	if number {
		n++
	}
	return n == 1
}

// quoteTypes writes types as Flow's type sets print in errors: `"array", "null"`.
func quoteTypes(types []string) string {
	q := make([]string, len(types))
	for i, t := range types {
		q[i] = fmt.Sprintf("%q", t)
	}
	return strings.Join(q, ", ")
}
