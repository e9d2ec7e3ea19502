package fieldsel

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

// optional answers FIELD_OPTIONAL for each field, as the fixtures of Flow's tests do.
func optional(fields ...string) map[string]connector.Constraint {
	out := map[string]connector.Constraint{}
	for _, f := range fields {
		out[f] = connector.Constraint{Type: connector.FieldOptional}
	}
	return out
}

// outcome renders an Outcome as Flow's snapshots print one: Left(select), Right(reject),
// Both(select, reject).
func outcome(o Outcome) string {
	switch {
	case o.Select != nil && o.Reject != nil:
		return "Both(" + o.Select.String() + ", " + o.Reject.String() + ")"
	case o.Select != nil:
		return "Left(" + o.Select.String() + ")"
	case o.Reject != nil:
		return "Right(" + o.Reject.String() + ")"
	}
	return "none"
}

func left(s SelectReason) string  { return "Left(" + s.String() + ")" }
func right(r RejectReason) string { return "Right(" + r.String() + ")" }

// caseCollisions is the collection of Flow's test_case_collisions: key /foo_id with a
// user-defined projection Foo_Id of it, and /foo/id, which the endpoint folds to FOO_ID.
func caseCollisions() *connector.CollectionSpec {
	fooID := proj("foo_id", "/foo_id", "integer")
	fooID.IsPrimaryKey = true
	alias := proj("Foo_Id", "/foo_id", "integer")
	alias.Explicit, alias.IsPrimaryKey = true, true
	return &connector.CollectionSpec{Name: "test/collection", Key: []string{"/foo_id"}, Projections: []connector.Projection{
		alias,
		proj("flow_document", "", "object"),
		proj("flow_published_at", "/_meta/uuid", "string"),
		proj("foo", "/foo", "object"),
		proj("foo/id", "/foo/id", "string"),
		fooID,
	}}
}

func TestEvaluateReasons(t *testing.T) {
	foldedFooID := func() map[string]connector.Constraint {
		c := optional("Foo_Id", "foo_id", "foo/id")
		c["foo/id"] = connector.Constraint{Type: connector.FieldOptional, FoldedField: "FOO_ID"}
		return c
	}
	dupFold := func(folded, other string) string {
		return right(RejectReason{Kind: DuplicateFold, FoldedField: folded, OtherField: other})
	}
	for _, tc := range []struct {
		name            string
		coll            *connector.CollectionSpec
		constraints     map[string]connector.Constraint
		stanza          Stanza
		caseInsensitive bool
		outcomes        map[string]string // the fields checked, by Outcome
		want            *connector.FieldSelection
		conflicts       []string
	}{
		{
			// Flow's test_case_collisions (snapshot case_collisions.snap): the group-by claims
			// foo_id first; Foo_Id folds onto it without regard to case and foo/id through its
			// foldedField, so both are DuplicateFold, naming the field that holds the name.
			name: "DuplicateFold, case-insensitive endpoint", coll: caseCollisions(), constraints: foldedFooID(),
			stanza: Stanza{Recommended: 2, GroupBy: []string{"foo_id"}}, caseInsensitive: true,
			outcomes: map[string]string{
				"Foo_Id":            dupFold("Foo_Id", "foo_id"),
				"foo/id":            dupFold("FOO_ID", "foo_id"),
				"foo_id":            left(SelectReason{Kind: GroupByKey}),
				"flow_document":     right(RejectReason{Kind: ConnectorOmits}),
				"flow_published_at": right(RejectReason{Kind: ConnectorOmits}),
				"foo":               right(RejectReason{Kind: ConnectorOmits}),
			},
			want: &connector.FieldSelection{Keys: []string{"foo_id"}},
		},
		{
			// The same endpoint keeping case: names differ, so the user-defined Foo_Id stays
			// selected beside the key (a UserDefined field is not a DuplicateLocation), and so
			// does foo/id.
			name: "case-sensitive endpoint keeps distinct names", coll: caseCollisions(), constraints: foldedFooID(),
			stanza: Stanza{Recommended: 2, GroupBy: []string{"foo_id"}},
			outcomes: map[string]string{
				"Foo_Id": left(SelectReason{Kind: UserDefined}),
				"foo/id": left(SelectReason{Kind: DesiredDepth}),
			},
			want: &connector.FieldSelection{Keys: []string{"foo_id"}, Values: []string{"Foo_Id", "foo/id"}},
		},
		{
			// Among depth selections the first by name takes the name ("Name" < "name")...
			name: "DuplicateFold, the first by name", coll: names(), constraints: optional("Name", "id", "name"),
			stanza: Stanza{Recommended: 1}, caseInsensitive: true,
			outcomes: map[string]string{"Name": left(SelectReason{Kind: DesiredDepth}), "name": dupFold("name", "Name")},
		},
		{
			// ...but a user's require outranks depth: the required field takes the name.
			name: "DuplicateFold, require takes the name", coll: names(), constraints: optional("Name", "id", "name"),
			stanza: Stanza{Recommended: 1, Require: map[string]json.RawMessage{"name": nil}}, caseInsensitive: true,
			outcomes: map[string]string{"Name": dupFold("Name", "name"), "name": left(SelectReason{Kind: UserRequires})},
			want:     &connector.FieldSelection{Keys: []string{"id"}, Values: []string{"name"}},
		},
		{
			// A required field cannot take a name a group-by field holds: a conflict naming both.
			name: "DuplicateFold against a required field conflicts", coll: caseCollisions(), constraints: foldedFooID(),
			stanza: Stanza{Recommended: 0, GroupBy: []string{"foo_id"}, Require: map[string]json.RawMessage{"Foo_Id": nil}}, caseInsensitive: true,
			conflicts: []string{`conflict for field "Foo_Id": field is required by the user's field selection but field is represented by the endpoint as "Foo_Id", which is ambiguous with selected field "foo_id"; remove "Foo_Id" from the binding's fields.require`},
		},
		{
			// Flow's test_incompatible_and_ambiguous: DuplicateFold outranks ConnectorIncompatible,
			// so an ambiguous incompatible field is dropped rather than forcing a backfill.
			name: "DuplicateFold outranks ConnectorIncompatible",
			coll: &connector.CollectionSpec{Name: "test/collection", Key: []string{"/id"}, Projections: []connector.Projection{
				proj("Foo", "/Foo", "boolean"), proj("foo", "/foo", "string"), proj("id", "/id", "integer")}},
			constraints: map[string]connector.Constraint{
				"id": {Type: connector.FieldOptional}, "foo": {Type: connector.FieldOptional},
				"Foo": {Type: connector.Incompatible, Reason: "wrong type"}},
			stanza: Stanza{Recommended: 1, Require: map[string]json.RawMessage{"foo": nil}}, caseInsensitive: true,
			outcomes: map[string]string{"Foo": dupFold("Foo", "foo"), "foo": left(SelectReason{Kind: UserRequires})},
			want:     &connector.FieldSelection{Keys: []string{"id"}, Values: []string{"foo"}},
		},
		{
			// Flow's test_connector_incompatible: an incompatible field the depth selects is a
			// conflict, yet stays in the selection, which holds once the binding is backfilled.
			name: "ConnectorIncompatible is a conflict and stays selected", coll: orders(),
			constraints: func() map[string]connector.Constraint {
				c := sqlConstraints()
				c["total"] = connector.Constraint{Type: connector.Incompatible, Reason: "REAL cannot become TEXT"}
				return c
			}(),
			stanza:    Stanza{Recommended: 1},
			conflicts: []string{`conflict for field "total": field is within the desired depth but connector cannot support this field without a backfill (REAL cannot become TEXT); increment the binding's backfill to rebuild its resource`},
			want: &connector.FieldSelection{Keys: []string{"id"}, Document: "flow_document",
				Values: []string{"_meta/op", "customer", "customer_name", "flow_published_at", "items", "region", "total"}},
		},
		{
			// The explicit customer_name (UserDefined) outranks the canonical customer/name
			// (DesiredDepth) and claims /customer/name first.
			name: "DuplicateLocation", coll: orders(), constraints: sqlConstraints(), stanza: Stanza{Recommended: AnyDepth},
			outcomes: map[string]string{
				"customer_name": left(SelectReason{Kind: UserDefined}),
				"customer/name": right(RejectReason{Kind: DuplicateLocation}),
			},
		},
		{
			// A connector's LOCATION_REQUIRED is met by any projection of the location: with
			// /total claimed by the alias `amount`, excluding `total` is no conflict.
			name: "a required location satisfied by another projection", coll: withAmount(),
			constraints: func() map[string]connector.Constraint {
				c := sqlConstraints()
				c["total"] = connector.Constraint{Type: connector.LocationRequired, Reason: "the table needs it"}
				c["amount"] = connector.Constraint{Type: connector.LocationRecommended}
				return c
			}(),
			stanza:   Stanza{Recommended: 1, Exclude: []string{"total"}},
			outcomes: map[string]string{"amount": left(SelectReason{Kind: UserDefined}), "total": right(RejectReason{Kind: UserExcludes})},
		},
		{
			// Flow's test_user_excludes_connector_requires_location: without another projection
			// of the location, the exclusion conflicts.
			name: "an excluded required location conflicts", coll: orders(),
			constraints: func() map[string]connector.Constraint {
				c := sqlConstraints()
				c["total"] = connector.Constraint{Type: connector.LocationRequired, Reason: "i said so"}
				return c
			}(),
			stanza:    Stanza{Recommended: 0, Exclude: []string{"total"}},
			conflicts: []string{`conflict for field "total": field's location is required by the connector (i said so) but field is excluded by the user's field selection; remove "total" from the binding's fields.exclude`},
		},
		{
			// A required parent is walked before depth-selected children, which it covers; the
			// user-defined customer_name is kept beneath it (only depth selections are covered).
			name: "CoveredLocation", coll: orders(), constraints: sqlConstraints(),
			stanza: Stanza{Recommended: AnyDepth, Require: map[string]json.RawMessage{"customer": nil}},
			outcomes: map[string]string{
				"customer":      left(SelectReason{Kind: UserRequires}),
				"customer/tier": right(RejectReason{Kind: CoveredLocation}),
				"customer_name": left(SelectReason{Kind: UserDefined}),
				// Claimed by customer_name before the cover is tested.
				"customer/name": right(RejectReason{Kind: DuplicateLocation}),
				"items/0":       right(RejectReason{Kind: CoveredLocation}),
			},
		},
		{
			// Flow's test_excluded_canonical_parent: excluding the canonical `a` rejects the
			// depth selections beneath /a.
			name: "ExcludedParent", coll: nested(), constraints: nestedConstraints(),
			stanza: Stanza{Recommended: 2, Exclude: []string{"a"}},
			outcomes: map[string]string{
				"a":   right(RejectReason{Kind: UserExcludes}),
				"a/b": right(RejectReason{Kind: ExcludedParent}),
				"a/n": right(RejectReason{Kind: ExcludedParent}),
			},
		},
		{
			// Flow's test_connector_requires_unknown_field_location.
			name: "CollectionOmits", coll: orders(),
			constraints: func() map[string]connector.Constraint {
				c := sqlConstraints()
				c["sporks"] = connector.Constraint{Type: connector.LocationRequired, Reason: "It's also a spoon"}
				return c
			}(),
			stanza:    Stanza{Recommended: 0},
			conflicts: []string{`conflict for field "sporks": field's location is required by the connector (It's also a spoon) but field does not exist within the source collection`},
		},
		{
			// A field with no constraint is never selected; a key without one is a conflict.
			name: "ConnectorOmits", coll: orders(),
			constraints: func() map[string]connector.Constraint {
				c := sqlConstraints()
				delete(c, "id")
				delete(c, "total")
				return c
			}(),
			stanza:    Stanza{Recommended: 1},
			outcomes:  map[string]string{"total": right(RejectReason{Kind: ConnectorOmits})},
			conflicts: []string{`conflict for field "id": field is part of the materialization group-by key but connector didn't return a constraint for this field; choose other fields.groupBy fields`},
		},
		{
			// Flow's /_meta test is a plain prefix: /_metadata is not selected by depth either.
			name: "_meta prefix", coll: &connector.CollectionSpec{Name: "acme/m", Key: []string{"/id"}, Projections: []connector.Projection{
				proj("_metadata", "/_metadata", "string"), proj("id", "/id", "string")}},
			constraints: optional("_metadata", "id"), stanza: Stanza{Recommended: AnyDepth},
			outcomes: map[string]string{"_metadata": right(RejectReason{Kind: NotSelected})},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, errs := Evaluate(tc.coll, tc.constraints, tc.stanza, tc.caseInsensitive)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			for field, want := range tc.outcomes {
				if got := outcome(res.Outcomes[field]); got != want {
					t.Errorf("%s: %s, want %s", field, got, want)
				}
			}
			var conflicts []string
			for i := range res.Conflicts {
				conflicts = append(conflicts, res.Conflicts[i].Error())
			}
			if !reflect.DeepEqual(conflicts, tc.conflicts) {
				t.Errorf("conflicts\n got %q\nwant %q", conflicts, tc.conflicts)
			}
			if tc.want != nil && !reflect.DeepEqual(res.Selection, *tc.want) {
				t.Errorf("selection\n got %+v\nwant %+v", res.Selection, *tc.want)
			}
		})
	}
}

// names has two locations whose names differ only in case.
func names() *connector.CollectionSpec {
	return &connector.CollectionSpec{Name: "acme/names", Key: []string{"/id"}, Projections: []connector.Projection{
		proj("Name", "/Name", "string"), proj("id", "/id", "string"), proj("name", "/name", "string")}}
}

// withAmount is orders with a user-defined projection `amount` of /total.
func withAmount() *connector.CollectionSpec {
	c := orders()
	amount := proj("amount", "/total", "number")
	amount.Explicit = true
	c.Projections = append(c.Projections, amount)
	return c
}

// TestSelectOrder checks Flow's walk order directly: a higher Select claims first whatever the
// names, equals go by name, and among equals a compatible field claims a shared location before
// an incompatible one.
func TestSelectOrder(t *testing.T) {
	coll := &connector.CollectionSpec{Name: "acme/o", Key: []string{"/id"}, Projections: []connector.Projection{
		proj("a", "/x", "string"), proj("b", "/x", "string"), proj("id", "/id", "string"), proj("x", "/x", "string")}}
	loc := func(t connector.ConstraintType) connector.Constraint {
		return connector.Constraint{Type: t, Reason: "r"}
	}
	for _, tc := range []struct {
		name        string
		constraints map[string]connector.Constraint
		selected    string
	}{
		{"by name among equals", map[string]connector.Constraint{"id": loc(connector.LocationRequired),
			"a": loc(connector.LocationRequired), "b": loc(connector.LocationRequired), "x": loc(connector.LocationRequired)}, "a"},
		{"a higher select first", map[string]connector.Constraint{"id": loc(connector.LocationRequired),
			"a": loc(connector.LocationRequired), "b": loc(connector.FieldRequired), "x": loc(connector.LocationRequired)}, "b"},
		{"compatible before incompatible", map[string]connector.Constraint{"id": loc(connector.LocationRequired),
			"a": loc(connector.Incompatible), "b": loc(connector.FieldOptional), "x": loc(connector.LocationRequired)}, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, errs := Evaluate(coll, tc.constraints, Stanza{Recommended: 0}, false)
			if len(errs) > 0 || len(res.Conflicts) > 0 {
				t.Fatal(errs, res.Conflicts)
			}
			if !reflect.DeepEqual(res.Selection.Values, []string{tc.selected}) {
				t.Fatalf("values %q, want [%s]", res.Selection.Values, tc.selected)
			}
		})
	}
}

// TestSelectReportsConflictsAsErrors: Select turns every conflict, incompatible ones too, into
// an error a caller can inspect.
func TestSelectReportsConflictsAsErrors(t *testing.T) {
	c := sqlConstraints()
	c["total"] = connector.Constraint{Type: connector.Incompatible, Reason: "no"}
	_, errs := Select(orders(), c, Stanza{Recommended: 1})
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	conflict, ok := errs[0].(*Conflict)
	if !ok || !conflict.Incompatible() || conflict.Field != "total" || !strings.HasPrefix(conflict.Error(), `conflict for field "total"`) {
		t.Fatalf("error %#v", errs[0])
	}
}
