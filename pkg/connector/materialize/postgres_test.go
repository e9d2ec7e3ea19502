package materialize

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/connector"
)

func postgresEndpoint(t *testing.T) (connector.Endpoint, *connector.MaterializationSpec, *sql.DB) {
	cluster := pgtest.Shared(t)
	database := cluster.NewDatabase(t)
	spec := &connector.MaterializationSpec{Name: "acmeCo/to-pg", ConnectorType: connector.ConnectorTypeImage,
		Config: json.RawMessage(fmt.Sprintf(`{"address":%q,"user":%q,"password":%q,"database":%q}`,
			cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, database)),
		Bindings: []connector.MaterializationBinding{testBinding("things", false), testBinding("thing log", true)}}
	return connector.Endpoint{Task: spec.Name, Image: PostgresImage + ":v1"}, spec, openPostgres(t, cluster.URL(database))
}

func openPostgres(t *testing.T, url string) *sql.DB {
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPostgresResumeAndFencing(t *testing.T) {
	ep, spec, db := postgresEndpoint(t)
	a, cp := openSession(t, ep, spec)
	if cp != nil {
		t.Fatalf("a new database holds checkpoint %+v", cp)
	}
	if _, err := a.txn(100, []string{"k1", "k2"}, 1, false); err != nil {
		t.Fatal(err)
	}
	a.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	a.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["k3"]`),
		Values: json.RawMessage(`[9,[]]`), Doc: json.RawMessage(`{"id":"k3","n":9}`)}})
	_ = a.s.Close() // dropped before startCommit

	b, cp := openSession(t, ep, spec)
	if cp == nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 100 {
		t.Fatalf("resumed from checkpoint %+v, want readThrough 100", cp)
	}
	loaded, err := b.txn(200, []string{"k2", "k3"}, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loaded["k2"], `"n":1`) || loaded["k3"] != "" {
		t.Fatalf("loaded %v: want k2 from the first transaction and no k3", loaded)
	}
	got := queryStrings(t, db, `SELECT id || ':' || n || ':' || tags::text FROM things ORDER BY id`)
	if want := `k1:1:["a"] k2:2:["a"] k3:2:["a"]`; strings.Join(got, " ") != want {
		t.Errorf("rows %v, want %s", got, want)
	}
	stored := queryStrings(t, db, `SELECT checkpoint FROM flow_checkpoints_v1`)
	if cp, err := decodeCheckpoint(stored[0]); err != nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 200 {
		t.Errorf("checkpoint table holds %+v (%v), want readThrough 200", cp, err)
	}

	// b is now the zombie of c.
	b.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	c, _ := openSession(t, ep, spec)
	defer c.s.Close()
	if _, err := b.txn(300, []string{"z"}, 1, false); err == nil || !strings.Contains(err.Error(), "fenced off") {
		t.Fatalf("zombie commit: %v, want fenced off", err)
	}
	if _, err := c.txn(300, []string{"z"}, 1, false); err != nil {
		t.Fatalf("successor commit: %v", err)
	}
	if n := queryStrings(t, db, `SELECT count(*)::text FROM things WHERE id = 'z'`); n[0] != "1" {
		t.Errorf("%s rows of z, want 1", n[0])
	}
	comments := queryStrings(t, db, `SELECT col_description('things'::regclass, 2)`)
	if !strings.Contains(comments[0], "projection of JSON at: /n with inferred types: [integer]") {
		t.Errorf("column comment %q", comments[0])
	}
}
