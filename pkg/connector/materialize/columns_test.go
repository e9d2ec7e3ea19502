package materialize

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

func TestCreateTableStatements(t *testing.T) {
	withResource := func(resource string) func() *connector.MaterializationBinding {
		return func() *connector.MaterializationBinding {
			b := testBinding("things", false)
			b.ResourceConfig = json.RawMessage(resource)
			return &b
		}
	}
	for _, tc := range []struct {
		name, image, schema string
		binding             func() *connector.MaterializationBinding
		want                []string // prefixes of the first statements
		wantErr             string
	}{
		{name: "sqlite table", image: SQLiteImage, binding: withResource(`{"table":"things"}`),
			want: []string{"CREATE TABLE IF NOT EXISTS things (\n\tid TEXT NOT NULL /* auto-generated"}},
		{name: "sqlite ignores a resource schema, as its Validate does", image: SQLiteImage, binding: withResource(`{"table":"things","schema":"x"}`),
			want: []string{"CREATE TABLE IF NOT EXISTS things ("}},
		{name: "postgres endpoint schema", image: PostgresImage, schema: "public", binding: withResource(`{"table":"things"}`),
			want: []string{"CREATE TABLE IF NOT EXISTS public.things (\n\tid TEXT NOT NULL,", "COMMENT ON TABLE public.things IS 'Generated for materialization of collection acmeCo/things'",
				"COMMENT ON COLUMN public.things.id IS ", "COMMENT ON COLUMN public.things.n IS ", "COMMENT ON COLUMN public.things.tags IS ", "COMMENT ON COLUMN public.things.flow_document IS "}},
		{name: "postgres resource schema wins", image: PostgresImage, schema: "public", binding: withResource(`{"table":"Things","schema":"other"}`),
			want: []string{`CREATE TABLE IF NOT EXISTS other."Things" (`}},
		{name: "delta updates have no primary key", image: SQLiteImage, binding: withResource(`{"table":"things","delta_updates":true}`),
			want: []string{"CREATE TABLE IF NOT EXISTS things ("}},
		{name: "other images", image: "ghcr.io/estuary/materialize-mysql", binding: withResource(`{"table":"things"}`),
			wantErr: "ghcr.io/estuary/materialize-mysql is not a built-in SQL materialization"},
		{name: "resource without table", image: SQLiteImage, binding: withResource(`{}`),
			wantErr: "resource of the binding of acmeCo/things has no `table`"},
		{name: "unknown field", image: SQLiteImage, binding: func() *connector.MaterializationBinding {
			b := withResource(`{"table":"things"}`)()
			b.FieldSelection.Values = append(b.FieldSelection.Values, "nope")
			return b
		}, wantErr: `collection acmeCo/things has no projection "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.binding()
			got, err := CreateTableStatements(tc.image, tc.schema, b)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// PostgreSQL comments on the table and each of its 4 columns; SQLite comments inline.
			statements := 1
			if tc.image == PostgresImage {
				statements = 6
			}
			if len(got) != statements || len(tc.want) > statements {
				t.Fatalf("got %d statements, want %d:\n%s", len(got), statements, strings.Join(got, ";\n"))
			}
			for i := range tc.want {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("statement %d:\n%s\nwant prefix\n%s", i, got[i], tc.want[i])
				}
			}
			delta := strings.Contains(string(b.ResourceConfig), `"delta_updates":true`)
			if hasKey := strings.Contains(got[0], "PRIMARY KEY (id)"); hasKey == delta {
				t.Errorf("PRIMARY KEY present = %v in delta_updates = %v:\n%s", hasKey, delta, got[0])
			}
		})
	}
}
