package generate

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" database/sql driver

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
)

func builtSQLCatalog(t *testing.T) *catalog.Built {
	t.Helper()
	return catalogtest.BuildFile(t, "testdata/sql/flow.yaml")
}

func TestSQLGolden(t *testing.T) {
	built := builtSQLCatalog(t)
	for _, tc := range []struct {
		dialect     Dialect
		golden      string
		wantSkipped string
	}{
		{"", "own-dialects.golden", "acme/elsewhere"},
		{SQLite, "sqlite.golden", ""},
		{Postgres, "postgres.golden", ""},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			tables, skipped, err := SQLTables(context.Background(), built, tc.dialect)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(skipped, ","); got != tc.wantSkipped {
				t.Errorf("skipped %q, want %q", got, tc.wantSkipped)
			}
			checkGolden(t, filepath.Join("testdata/sql", tc.golden), RenderSQL(tables))
		})
	}
}

func TestSQLErrors(t *testing.T) {
	if _, _, err := SQLTables(context.Background(), builtSQLCatalog(t), "mysql"); err == nil || !strings.Contains(err.Error(), `unknown SQL dialect "mysql"`) {
		t.Errorf("got %v", err)
	}
	for _, tc := range []struct {
		name, fields, want string
	}{
		{"excluded document", "{exclude: [flow_document]}",
			`materialization acme/m: binding of acme/things: fields: conflict for field "flow_document": field's location is required by the connector (The root document is required for a standard updates materialization) but field is excluded by the user's field selection; remove "flow_document" from the binding's fields.exclude`},
		{"excluded key", "{exclude: [id]}", `conflict for field "id": field is part of the materialization group-by key but field is excluded by the user's field selection`},
		{"forbidden required", "{require: {nothing: {}}}", `conflict for field "nothing": field is required by the user's field selection but field is forbidden by the connector`},
		{"required and excluded", "{require: {n: {}}, exclude: [n]}", `conflict for field "n": field is required by the user's field selection but field is excluded by the user's field selection`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			built := catalogtest.Build(t, `
collections:
  acme/things:
    schema:
      type: object
      properties: {id: {type: string}, n: {type: integer}, x: {type: number}, nothing: {type: "null"}}
      required: [id]
    key: [/id]
materializations:
  acme/m:
    endpoint: {connector: {image: "ghcr.io/estuary/materialize-sqlite:dev", config: {path: out.db}}}
    bindings:
      - {source: acme/things, resource: {table: things}, fields: `+tc.fields+`}
`, nil)
			_, _, err := SQLTables(context.Background(), built, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// The DDL runs in a real SQLite database, twice (IF NOT EXISTS), and the tables have the columns
// of the field selection.
func TestSQLiteDDLRuns(t *testing.T) {
	tables, _, err := SQLTables(context.Background(), builtSQLCatalog(t), SQLite)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		for _, tb := range tables {
			for _, s := range tb.Statements {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%v\n%s", err, s)
				}
			}
		}
	}
	var n int
	// a, b, nested/deep/x, v and flow_published_at: a delta-updates binding has no document, as in Flow.
	if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info('Pairs Delta')`).Scan(&n); err != nil || n != 5 {
		t.Fatalf("Pairs Delta has %d columns (%v), want 5", n, err)
	}
}

// The DDL runs in a real PostgreSQL.
func TestPostgresDDLRuns(t *testing.T) {
	cluster := pgtest.Shared(t)
	db, err := sql.Open("pgx", cluster.URL(cluster.NewDatabase(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, _, err := SQLTables(context.Background(), builtSQLCatalog(t), Postgres)
	if err != nil {
		t.Fatal(err)
	}
	for _, schema := range []string{"flow", "other"} {
		if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		for _, tb := range tables {
			for _, s := range tb.Statements {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%v\n%s", err, s)
				}
			}
		}
	}
	var typ string
	err = db.QueryRow(`SELECT data_type FROM information_schema.columns WHERE table_schema = 'flow' AND table_name = 'events' AND column_name = 'started'`).Scan(&typ)
	if err != nil || typ != "timestamp with time zone" {
		t.Fatalf("flow.events.started is %q (%v)", typ, err)
	}
}

// generate's DDL is what the built-in connectors run: each materialization's bindings, applied
// by the real connector, produce the same statements after its checkpoints table.
func TestDDLMatchesTheConnectors(t *testing.T) {
	built := builtSQLCatalog(t)
	ctx := context.Background()
	configs := map[Dialect]func(t *testing.T) string{
		SQLite: func(t *testing.T) string {
			return fmt.Sprintf(`{"path":%q}`, filepath.Join(t.TempDir(), "apply.db"))
		},
		Postgres: func(t *testing.T) string {
			cluster := pgtest.Shared(t)
			name := cluster.NewDatabase(t)
			conn, err := pgx.Connect(ctx, cluster.URL(name))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "CREATE SCHEMA flow; CREATE SCHEMA other"); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf(`{"address":%q,"user":%q,"password":%q,"database":%q,"schema":"flow"}`,
				cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, name)
		},
	}
	for _, m := range built.Materializations {
		d := dialectOf(m)
		if d == "" {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			specs, err := bindingSpecs(ctx, m, d)
			if err != nil {
				t.Fatal(err)
			}
			tables, err := materializationTables(ctx, m, d)
			if err != nil {
				t.Fatal(err)
			}
			spec := &connector.MaterializationSpec{Name: m.Name, ConnectorType: connector.ConnectorTypeImage,
				Config: []byte(configs[d](t)), Bindings: specs}
			resp, err := connector.MaterializeUnary(ctx, connector.Endpoint{Task: m.Name, Image: dialectImages[d]},
				connector.Options{}, &connector.MaterializeRequest{Apply: &connector.MaterializeApply{Materialization: spec}})
			if err != nil {
				t.Fatal(err)
			}
			var ours []string
			for _, tb := range tables {
				ours = append(ours, tb.Statements...)
			}
			want := ";\n" + strings.Join(ours, ";\n") + ";"
			if got := resp.Applied.ActionDescription; !strings.HasSuffix(got, want) {
				t.Fatalf("the connector ran:\n%s\n\ngenerate says:\n%s", got, want)
			}
		})
	}
}
