package fieldsel

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

func proj(field, ptr string, types ...string) connector.Projection {
	return connector.Projection{Field: field, Ptr: ptr, Inference: connector.Inference{Types: types}}
}

// orders is a collection keyed on /id with nested, array, tuple and metadata locations.
func orders() *connector.CollectionSpec {
	id := proj("id", "/id", "string")
	id.IsPrimaryKey = true
	region := proj("region", "/region", "string")
	region.IsPartitionKey = true
	alias := proj("customer_name", "/customer/name", "string")
	alias.Explicit = true
	return &connector.CollectionSpec{
		Name: "acme/orders",
		Key:  []string{"/id"},
		Projections: []connector.Projection{
			proj("_meta/op", "/_meta/op", "string"),
			proj("_meta/source", "/_meta/source", "object"),
			proj("customer", "/customer", "object"),
			proj("customer/name", "/customer/name", "string"),
			proj("customer/tier", "/customer/tier", "integer"),
			alias,
			proj("flow_document", "", "object"),
			proj("flow_published_at", "/_meta/uuid", "string"),
			id,
			proj("items", "/items", "array"),
			proj("items/0", "/items/0", "object"),
			proj("note", "/note", "null"),
			region,
			proj("total", "/total", "number"),
		},
	}
}

// sqlConstraints are what a SQL connector answers for the collection above.
func sqlConstraints() map[string]connector.Constraint {
	c := func(t connector.ConstraintType) connector.Constraint {
		return connector.Constraint{Type: t, Reason: string(t)}
	}
	return map[string]connector.Constraint{
		"_meta/op":          c(connector.LocationRecommended),
		"_meta/source":      c(connector.FieldOptional),
		"customer":          c(connector.FieldOptional),
		"customer/name":     c(connector.LocationRecommended),
		"customer/tier":     c(connector.LocationRecommended),
		"customer_name":     c(connector.LocationRecommended),
		"flow_document":     c(connector.LocationRequired),
		"flow_published_at": c(connector.LocationRecommended),
		"id":                c(connector.LocationRequired),
		"items":             c(connector.LocationRecommended),
		"items/0":           c(connector.FieldOptional),
		"note":              c(connector.FieldForbidden),
		"region":            c(connector.LocationRecommended),
		"total":             c(connector.LocationRecommended),
	}
}

func TestSelect(t *testing.T) {
	cases := []struct {
		name    string
		stanza  Stanza
		want    connector.FieldSelection
		wantErr string
	}{
		{
			name:   "recommended at any depth",
			stanza: Stanza{Recommended: -1},
			want: connector.FieldSelection{Keys: []string{"id"}, Document: "flow_document",
				// customer_name is explicit and wins the location of customer/name; items covers items/0.
				Values: []string{"_meta/op", "customer/tier", "customer_name", "flow_published_at", "items", "region", "total"}},
		},
		{
			name:   "depth one selects top-level fields and objects at the limit",
			stanza: Stanza{Recommended: 1},
			want: connector.FieldSelection{Keys: []string{"id"}, Document: "flow_document",
				Values: []string{"_meta/op", "customer", "customer_name", "flow_published_at", "items", "region", "total"}},
		},
		{
			// Flow selects user-defined projections only when some depth is desired.
			name:   "recommended false keeps keys, required document and partitions",
			stanza: Stanza{Recommended: 0},
			want: connector.FieldSelection{Keys: []string{"id"}, Document: "flow_document",
				Values: []string{"region"}},
		},
		{
			name: "require with config and exclude",
			stanza: Stanza{Recommended: 0, Exclude: []string{"region"},
				Require: map[string]json.RawMessage{"_meta/source": json.RawMessage(`{"ddl":"JSON"}`), "total": nil}},
			want: connector.FieldSelection{Keys: []string{"id"}, Document: "flow_document",
				Values:      []string{"_meta/source", "total"},
				FieldConfig: map[string]json.RawMessage{"_meta/source": json.RawMessage(`{"ddl":"JSON"}`)}},
		},
		{
			name:   "group by replaces the key",
			stanza: Stanza{Recommended: 0, GroupBy: []string{"region", "id"}},
			want:   connector.FieldSelection{Keys: []string{"region", "id"}, Document: "flow_document"},
		},
		{name: "a forbidden field cannot be required", stanza: Stanza{Require: map[string]json.RawMessage{"note": nil}},
			wantErr: `conflict for field "note": field is required by the user's field selection but field is forbidden by the connector (FIELD_FORBIDDEN); remove "note" from the binding's fields.require`},
		{name: "the required document cannot be excluded", stanza: Stanza{Exclude: []string{"flow_document"}},
			wantErr: `conflict for field "flow_document": field's location is required by the connector (LOCATION_REQUIRED) but field is excluded by the user's field selection`},
		{name: "unknown fields are named", stanza: Stanza{Require: map[string]json.RawMessage{"nope": nil}, Exclude: []string{"nada"}},
			wantErr: "required projection nope does not exist in collection acme/orders\nexclude projection nada does not exist in collection acme/orders"},
		{name: "group by a number, keyable as collection keys are", stanza: Stanza{Recommended: 0, GroupBy: []string{"total"}},
			want: connector.FieldSelection{Keys: []string{"total"}, Document: "flow_document",
				// The collection key stays as a value: the connector requires its location.
				Values: []string{"id", "region"}}},
		{name: "group by a non-keyable field", stanza: Stanza{GroupBy: []string{"items"}},
			wantErr: `groupBy field items accepts "array", but groupBy locations may only be null-able integers, strings, or booleans`},
		{name: "an excluded key field conflicts", stanza: Stanza{Recommended: AnyDepth, Exclude: []string{"id"}},
			wantErr: `conflict for field "id": field is part of the materialization group-by key but field is excluded by the user's field selection; remove "id" from the binding's fields.exclude`},
		{name: "an excluded groupBy field conflicts", stanza: Stanza{GroupBy: []string{"region"}, Exclude: []string{"region"}},
			wantErr: `conflict for field "region"`},
		{name: "both required and excluded", stanza: Stanza{Require: map[string]json.RawMessage{"total": nil}, Exclude: []string{"total"}},
			wantErr: `conflict for field "total": field is required by the user's field selection but field is excluded by the user's field selection`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := Select(orders(), sqlConstraints(), tc.stanza)
			if tc.wantErr != "" {
				var msgs []string
				for _, err := range errs {
					msgs = append(msgs, err.Error())
				}
				if !strings.Contains(strings.Join(msgs, "\n"), tc.wantErr) {
					t.Fatalf("errors %q do not include %q", msgs, tc.wantErr)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("selection\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSelectDeltaModeWithoutDocument(t *testing.T) {
	constraints := sqlConstraints()
	constraints["flow_document"] = connector.Constraint{Type: connector.FieldOptional}
	got, errs := Select(orders(), constraints, Stanza{Recommended: 0})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	// As in Flow, a document the connector merely allows needs a reason: depth never selects the
	// root (it has projected children), the user's require does.
	for _, stanza := range []Stanza{{Recommended: 0}, {Recommended: AnyDepth}, {Recommended: 2}} {
		if got, _ := Select(orders(), constraints, stanza); got.Document != "" {
			t.Fatalf("recommended %d selected the optional document", stanza.Recommended)
		}
	}
	got, errs = Select(orders(), constraints, Stanza{Recommended: 0, Require: map[string]json.RawMessage{"flow_document": nil}})
	if len(errs) > 0 || got.Document != "flow_document" {
		t.Fatalf("required document: %q, %v", got.Document, errs)
	}
}

// nested is a collection with an object holding projected children, one without, and an object
// two levels down, to exercise Flow's desired-depth rules.
func nested() *connector.CollectionSpec {
	id := proj("id", "/id", "string")
	id.IsPrimaryKey = true
	return &connector.CollectionSpec{Name: "acme/nested", Key: []string{"/id"}, Projections: []connector.Projection{
		proj("a", "/a", "object"),
		proj("a/b", "/a/b", "object", "null"),
		proj("a/b/c", "/a/b/c", "integer"),
		proj("a/n", "/a/n", "string"),
		proj("bag", "/bag", "object"),
		proj("flow_document", "", "object"),
		id,
		proj("x", "/x", "number"),
	}}
}

func nestedConstraints() map[string]connector.Constraint {
	out := map[string]connector.Constraint{}
	for _, p := range nested().Projections {
		t := connector.LocationRecommended
		if onlyObject(p.Inference.Types) {
			t = connector.FieldOptional
		}
		out[p.Field] = connector.Constraint{Type: t}
	}
	out["id"] = connector.Constraint{Type: connector.LocationRequired}
	out["flow_document"] = connector.Constraint{Type: connector.LocationRequired}
	return out
}

func TestSelectDesiredDepth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stanza Stanza
		values []string
	}{
		// true: scalars at any depth; objects stand for themselves never, even without children.
		{"any depth", Stanza{Recommended: AnyDepth}, []string{"a/b/c", "a/n", "x"}},
		// A number: everything at the limit (objects too), above it scalars and childless objects.
		{"depth 1", Stanza{Recommended: 1}, []string{"a", "bag", "x"}},
		{"depth 2", Stanza{Recommended: 2}, []string{"a/b", "a/n", "bag", "x"}},
		{"depth 3", Stanza{Recommended: 3}, []string{"a/b/c", "a/n", "bag", "x"}},
		// Excluding a canonical parent drops the locations beneath it from depth selection.
		{"excluded parent", Stanza{Recommended: 3, Exclude: []string{"a"}}, []string{"bag", "x"}},
		{"excluded parent, required child", Stanza{Recommended: 3, Exclude: []string{"a"},
			Require: map[string]json.RawMessage{"a/n": nil}}, []string{"a/n", "bag", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := Select(nested(), nestedConstraints(), tc.stanza)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !reflect.DeepEqual(got.Values, tc.values) {
				t.Fatalf("values %q, want %q", got.Values, tc.values)
			}
		})
	}
}
