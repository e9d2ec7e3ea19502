package materialize

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/connector"
)

const benchTxnRows = 10_000

// benchProtocol measures rows/s through the materialize protocol: each iteration is one
// transaction that loads and stores benchTxnRows new keys.
func benchProtocol(b *testing.B, ep connector.Endpoint, spec *connector.MaterializationSpec) {
	s, err := connector.OpenMaterialize(b.Context(), ep, connector.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	recv := func(kind string) {
		for {
			r, err := s.Recv()
			if err != nil {
				b.Fatal(err)
			}
			if r.Kind() == kind {
				return
			}
		}
	}
	send := func(m *connector.MaterializeRequest) {
		if err := s.Send(m); err != nil {
			b.Fatal(err)
		}
	}
	send(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{Materialization: spec, Range: &connector.FullRange}})
	recv("opened")
	b.ResetTimer()
	for i := range b.N {
		send(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}})
		recv("acknowledged")
		for j := range benchTxnRows {
			send(&connector.MaterializeRequest{Load: &connector.Load{Key: json.RawMessage(fmt.Sprintf(`["key-%d-%d"]`, i, j))}})
		}
		send(&connector.MaterializeRequest{Flush: &connector.Flush{}})
		recv("flushed")
		for j := range benchTxnRows {
			id := fmt.Sprintf("key-%d-%d", i, j)
			send(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["` + id + `"]`),
				Values: json.RawMessage(fmt.Sprintf(`[%d,["x","y"]]`, j)), Doc: benchDoc(id, j)}})
		}
		send(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: &connector.Checkpoint{}}})
		recv("startedCommit")
	}
	b.ReportMetric(float64(b.N*benchTxnRows)/b.Elapsed().Seconds(), "rows/s")
}

func benchDoc(id string, n int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"n":%d,"tags":["x","y"],"note":"%s"}`, id, n, strings.Repeat("z", 200)))
}

// benchUpsert is the baseline: the same rows written by a prepared INSERT ... ON CONFLICT in one
// transaction per benchTxnRows.
func benchUpsert(b *testing.B, db *sql.DB, d *dialect) {
	stmt := fmt.Sprintf(`INSERT INTO things (id, n, tags, flow_document) VALUES (%s, %s, %s, %s)
		ON CONFLICT (id) DO UPDATE SET n = excluded.n, tags = excluded.tags, flow_document = excluded.flow_document`,
		d.placeholder(0), d.placeholder(1), d.placeholder(2), d.placeholder(3))
	b.ResetTimer()
	for i := range b.N {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare(stmt)
		if err != nil {
			b.Fatal(err)
		}
		for j := range benchTxnRows {
			id := fmt.Sprintf("key-%d-%d", i, j)
			if _, err := st.Exec(id, int64(j), `["x","y"]`, string(benchDoc(id, j))); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchTxnRows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkSQLite(b *testing.B) {
	newSpec := func(b *testing.B) (*connector.MaterializationSpec, string) {
		path := filepath.Join(b.TempDir(), "bench.db")
		return &connector.MaterializationSpec{Name: "bench/sqlite", Config: json.RawMessage(fmt.Sprintf(`{"path":%q}`, path)),
			Bindings: []connector.MaterializationBinding{testBinding("things", false)}}, path
	}
	b.Run("protocol", func(b *testing.B) {
		spec, _ := newSpec(b)
		benchProtocol(b, connector.Endpoint{Task: spec.Name, Image: SQLiteImage}, spec)
	})
	b.Run("upsert", func(b *testing.B) {
		spec, path := newSpec(b)
		if _, err := connector.ApplyMaterialization(b.Context(), connector.Endpoint{Task: spec.Name, Image: SQLiteImage},
			connector.Options{}, &connector.MaterializeApply{Materialization: spec}); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("sqlite3", sqliteConfig{Path: path}.dsn())
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchUpsert(b, db, &sqliteDialect)
	})
}

func BenchmarkPostgres(b *testing.B) {
	cluster := pgtest.Shared(b)
	newSpec := func(b *testing.B) (*connector.MaterializationSpec, string) {
		database := cluster.NewDatabase(b)
		return &connector.MaterializationSpec{Name: "bench/pg", Config: json.RawMessage(fmt.Sprintf(
			`{"address":%q,"user":%q,"password":%q,"database":%q}`, cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, database)),
			Bindings: []connector.MaterializationBinding{testBinding("things", false)}}, database
	}
	b.Run("protocol", func(b *testing.B) {
		spec, _ := newSpec(b)
		benchProtocol(b, connector.Endpoint{Task: spec.Name, Image: PostgresImage}, spec)
	})
	b.Run("upsert", func(b *testing.B) {
		spec, database := newSpec(b)
		if _, err := connector.ApplyMaterialization(b.Context(), connector.Endpoint{Task: spec.Name, Image: PostgresImage},
			connector.Options{}, &connector.MaterializeApply{Materialization: spec}); err != nil {
			b.Fatal(err)
		}
		db, err := sql.Open("pgx", cluster.URL(database))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchUpsert(b, db, &postgresDialect)
	})
}
