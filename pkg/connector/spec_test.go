package connector

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

func TestCollectionSpecOf(t *testing.T) {
	const writeSchema = `{"type":"object","required":["id","ts"],"properties":{
		"id":{"type":"integer","title":"Identifier","description":"the row's id"},
		"ts":{"type":"string","format":"date-time"},
		"name":{"type":["string","null"],"maxLength":40,"default":"anon"},
		"blob":{"type":"string","contentEncoding":"base64"},
		"ratio":{"type":"number"},
		"gone":false,
		"nested":{"type":"object","properties":{"n":{"type":"boolean"}}}
	}}`
	ix := schema.NewIndex()
	var doc any
	if err := json.Unmarshal([]byte(writeSchema), &doc); err != nil {
		t.Fatal(err)
	}
	if err := ix.Add("test://coll.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	compiled, err := ix.Compile("test://coll.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	projections, problems := schema.Projections(compiled.Shape(), []string{"/id"},
		[]schema.ExplicitProjection{{Field: "day", Ptr: "/ts", Partition: true}})
	if len(problems) != 0 {
		t.Fatalf("projection problems: %v", problems)
	}
	spec := CollectionSpecOf("acmeCo/rows", []string{"/id"}, []string{"day"}, projections, json.RawMessage(writeSchema), nil)

	if spec.Name != "acmeCo/rows" || spec.UUIDPtr != "/_meta/uuid" || !reflect.DeepEqual(spec.Key, []string{"/id"}) ||
		!reflect.DeepEqual(spec.PartitionFields, []string{"day"}) || spec.ReadSchema != nil || string(spec.WriteSchema) != writeSchema {
		t.Fatalf("spec header: %+v", spec)
	}
	if len(spec.Projections) != len(projections) {
		t.Fatalf("%d projections, want %d", len(spec.Projections), len(projections))
	}
	cases := []struct {
		field string
		want  Projection
	}{
		{"id", Projection{Ptr: "/id", Field: "id", IsPrimaryKey: true, Inference: Inference{
			Types: []string{"integer"}, Title: "Identifier", Description: "the row's id", Exists: ExistsMust}}},
		{"day", Projection{Ptr: "/ts", Field: "day", Explicit: true, IsPartitionKey: true, Inference: Inference{
			Types: []string{"string"}, Exists: ExistsMust, String: &StringInference{Format: "date-time"}}}},
		{"name", Projection{Ptr: "/name", Field: "name", Inference: Inference{
			Types: []string{"null", "string"}, Exists: ExistsMay, Default: json.RawMessage(`"anon"`),
			String: &StringInference{MaxLength: 40}}}},
		{"blob", Projection{Ptr: "/blob", Field: "blob", Inference: Inference{
			Types: []string{"string"}, Exists: ExistsMay, String: &StringInference{ContentEncoding: "base64"}}}},
		{"ratio", Projection{Ptr: "/ratio", Field: "ratio", Inference: Inference{Types: []string{"number"}, Exists: ExistsMay}}},
		{"nested/n", Projection{Ptr: "/nested/n", Field: "nested/n", Inference: Inference{Types: []string{"boolean"}, Exists: ExistsMay}}},
		{"flow_document", Projection{Ptr: "", Field: "flow_document", Inference: Inference{Types: []string{"object"}, Exists: ExistsMust}}},
	}
	for _, c := range cases {
		got := spec.Projection(c.field)
		if got == nil {
			t.Errorf("no projection of %q", c.field)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(c.want)
			t.Errorf("projection %q:\n got %s\nwant %s", c.field, gotJSON, wantJSON)
		}
	}
}

func TestCollectionSpecOfSeparateSchemas(t *testing.T) {
	spec := CollectionSpecOf("acmeCo/two", []string{"/k"}, nil, nil, json.RawMessage(`{"w":1}`), json.RawMessage(`{"r":1}`))
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"acmeCo/two","writeSchema":{"w":1},"readSchema":{"r":1},"key":["/k"],"uuidPtr":"/_meta/uuid"}`
	if string(raw) != want {
		t.Fatalf("got  %s\nwant %s", raw, want)
	}
}

func TestExistsNames(t *testing.T) {
	for e, want := range map[schema.Exists]string{schema.MustExist: "MUST", schema.MayExist: "MAY",
		schema.CannotExist: "CANNOT", schema.Implicit: "IMPLICIT"} {
		if got := existsName(e); got != want {
			t.Errorf("existsName(%v) = %q, want %q", e, got, want)
		}
	}
}
