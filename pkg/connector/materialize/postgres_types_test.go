package materialize

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/connector"
)

// typedBinding materializes acmeCo/typed: a string key and one nullable field per PostgreSQL
// column type that a string format or a JSON type maps to.
func typedBinding() connector.MaterializationBinding {
	str := func(field, format string) connector.Projection {
		return connector.Projection{Field: field, Ptr: "/" + field, Inference: connector.Inference{
			Types: []string{"string", "null"}, Exists: connector.ExistsMay, String: &connector.StringInference{Format: format}}}
	}
	typed := func(field string, types ...string) connector.Projection {
		return connector.Projection{Field: field, Ptr: "/" + field, Inference: connector.Inference{Types: types, Exists: connector.ExistsMay}}
	}
	must := connector.ExistsMust
	values := []string{"d", "ts", "tm", "u", "iv", "ni", "nd", "obj", "multi"}
	return connector.MaterializationBinding{
		ResourceConfig: json.RawMessage(`{"table":"typed"}`),
		ResourcePath:   []string{"typed"},
		Collection: connector.CollectionSpec{Name: "acmeCo/typed", Key: []string{"/id"}, Projections: []connector.Projection{
			{Field: "id", Ptr: "/id", IsPrimaryKey: true, Inference: connector.Inference{Types: []string{"string"}, Exists: must}},
			str("d", "date"), str("ts", "date-time"), str("tm", "time"), str("u", "uuid"), str("iv", "duration"),
			str("ni", "integer"), str("nd", "number"),
			typed("obj", "object", "null"), typed("multi", "string", "integer", "null"),
			{Field: "flow_document", Ptr: "", Inference: connector.Inference{Types: []string{"object"}, Exists: must}},
		}},
		FieldSelection: connector.FieldSelection{Keys: []string{"id"}, Values: values, Document: "flow_document"},
	}
}

// typedColumns reads each column back as PostgreSQL renders it, "NULL" for null.
const typedColumns = `SELECT id || '|' || concat_ws('|', coalesce(d::text, 'NULL'), coalesce((ts AT TIME ZONE 'UTC')::text, 'NULL'),
	coalesce(tm::text, 'NULL'), coalesce(u::text, 'NULL'), coalesce(iv::text, 'NULL'), coalesce(ni::text, 'NULL'),
	coalesce(nd::text, 'NULL'), coalesce(obj::text, 'NULL'), coalesce(multi::text, 'NULL')) FROM typed ORDER BY id`

func TestPostgresColumnTypes(t *testing.T) {
	cluster := pgtest.Shared(t)
	database := cluster.NewDatabase(t)
	spec := &connector.MaterializationSpec{Name: "acmeCo/typed-to-pg", Config: json.RawMessage(fmt.Sprintf(
		`{"address":%q,"user":%q,"password":%q,"database":%q}`, cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, database)),
		Bindings: []connector.MaterializationBinding{typedBinding()}}
	ep := connector.Endpoint{Task: spec.Name, Image: PostgresImage}
	db := openPostgres(t, cluster.URL(database))

	s, _ := openSession(t, ep, spec)
	rows := []struct{ id, values string }{
		{"a", `["2024-02-29","2024-02-29T23:59:58.5+02:00","12:34:56Z","6f1c1b9e-3a52-4d7e-9a0c-2b1f4b6d8e01","P1Y2M3DT4H5M6S",` +
			`"123456789012345678901234567890","-1.25",{"k":[1,"<x>"]},"text"]`},
		{"b", `[null,null,null,null,null,null,null,null,42]`},
	}
	for _, r := range rows {
		s.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["` + r.id + `"]`),
			Values: json.RawMessage(r.values), Doc: json.RawMessage(`{"id":"` + r.id + `"}`)}})
	}
	s.exchange(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: &connector.Checkpoint{}}}, "startedCommit")
	_ = s.s.Close()

	want := []string{
		`a|2024-02-29|2024-02-29 21:59:58.5|12:34:56|6f1c1b9e-3a52-4d7e-9a0c-2b1f4b6d8e01|1 year 2 mons 3 days 04:05:06|` +
			`123456789012345678901234567890|-1.25|{"k":[1,"<x>"]}|"text"`,
		`b|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|42`,
	}
	if got := queryStrings(t, db, typedColumns); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPostgresRejectedValueNamesFieldAndValue(t *testing.T) {
	cluster := pgtest.Shared(t)
	cases := []struct{ field, value, want string }{
		{"d", `"2024-13-45"`, "date"},
		{"ts", `"yesterday at noon"`, "timestamp"},
		{"tm", `"25:61:00"`, "time"},
		{"u", `"not-a-uuid"`, "uuid"},
		{"iv", `"P1Q"`, "interval"},
		{"ni", `"12x"`, "numeric"},
		{"nd", `"1.2.3"`, "numeric"},
	}
	fields := typedBinding().FieldSelection.Values
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			database := cluster.NewDatabase(t)
			spec := &connector.MaterializationSpec{Name: "acmeCo/typed-to-pg", Config: json.RawMessage(fmt.Sprintf(
				`{"address":%q,"user":%q,"password":%q,"database":%q}`, cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, database)),
				Bindings: []connector.MaterializationBinding{typedBinding()}}
			s, _ := openSession(t, connector.Endpoint{Task: spec.Name, Image: PostgresImage}, spec)
			defer s.s.Close()
			values := make([]string, len(fields))
			for i, f := range fields {
				values[i] = "null"
				if f == c.field {
					values[i] = c.value
				}
			}
			s.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["a"]`),
				Values: json.RawMessage("[" + strings.Join(values, ",") + "]"), Doc: json.RawMessage(`{"id":"a"}`)}})
			s.exchange(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: &connector.Checkpoint{}}})
			_, err := s.s.Recv()
			if err == nil {
				t.Fatalf("startCommit succeeded with %s = %s", c.field, c.value)
			}
			for _, part := range []string{"binding 0 (table public.typed)", fmt.Sprintf("field %q", c.field), c.value, c.want} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %s", err, part)
				}
			}
		})
	}
}
