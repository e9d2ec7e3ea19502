package materialize

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/connector"
)

const benchTxnRows = 10_000

// benchInterleaved runs one baseline transaction and one protocol transaction per round, so
// that both see the same machine load, and reports each path's rows/s and the ratio of their
// times: over all rounds and the median of the rounds (each round is logged).
func benchInterleaved(b *testing.B, baseline, protocol func(round int)) {
	var base, proto time.Duration
	var ratios []float64
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		baseline(i)
		mid := time.Now()
		protocol(i)
		db, dp := mid.Sub(start), time.Since(mid)
		base, proto = base+db, proto+dp
		ratios = append(ratios, dp.Seconds()/db.Seconds())
		b.Logf("round %d: baseline %.0f rows/s, protocol %.0f rows/s, protocol takes %.2fx the baseline's time",
			i, benchTxnRows/db.Seconds(), benchTxnRows/dp.Seconds(), ratios[i])
	}
	rows := float64(b.N * benchTxnRows)
	b.ReportMetric(rows/base.Seconds(), "baseline-rows/s")
	b.ReportMetric(rows/proto.Seconds(), "protocol-rows/s")
	b.ReportMetric(proto.Seconds()/base.Seconds(), "x-baseline-time")
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "x-median-round")
}

// protocolSession drives a materialization through the protocol as the runtime does.
type protocolSession struct {
	b *testing.B
	s connector.MaterializeStream
}

func openProtocolSession(b *testing.B, ep connector.Endpoint, spec *connector.MaterializationSpec) *protocolSession {
	s, err := connector.OpenMaterialize(b.Context(), ep, connector.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ps := &protocolSession{b: b, s: s}
	ps.send(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{Materialization: spec, Range: &connector.FullRange}})
	ps.recv("opened")
	return ps
}

func (ps *protocolSession) send(m *connector.MaterializeRequest) {
	if err := ps.s.Send(m); err != nil {
		ps.b.Fatal(err)
	}
}

// recv skips responses up to one of kind (loaded documents before flushed).
func (ps *protocolSession) recv(kind string) {
	for {
		r, err := ps.s.Recv()
		if err != nil {
			ps.b.Fatalf("waiting for %s: %v", kind, err)
		}
		if r.Kind() == kind {
			return
		}
	}
}

// txn is one transaction of benchTxnRows new keys: loads (unless delta), flush, stores and
// startCommit with checkpoint cp.
func (ps *protocolSession) txn(round int, load bool, cp *connector.Checkpoint) {
	ps.send(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}})
	ps.recv("acknowledged")
	if load {
		for j := range benchTxnRows {
			ps.send(&connector.MaterializeRequest{Load: &connector.Load{Key: json.RawMessage(`["` + benchID(round, j) + `"]`)}})
		}
	}
	ps.send(&connector.MaterializeRequest{Flush: &connector.Flush{}})
	ps.recv("flushed")
	for j := range benchTxnRows {
		id := benchID(round, j)
		ps.send(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["` + id + `"]`),
			Values: json.RawMessage(fmt.Sprintf(`[%d,["x","y"]]`, j)), Doc: benchDoc(id, j)}})
	}
	ps.send(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: cp}})
	ps.recv("startedCommit")
}

func benchID(round, j int) string { return fmt.Sprintf("key-%d-%d", round, j) }

func benchDoc(id string, n int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"n":%d,"tags":["x","y"],"note":"%s"}`, id, n, strings.Repeat("z", 200)))
}

// upsertBaseline writes a round's rows by a prepared INSERT ... ON CONFLICT in one transaction.
func upsertBaseline(b *testing.B, db *sql.DB, d *dialect) func(round int) {
	stmt := fmt.Sprintf(`INSERT INTO things (id, n, tags, flow_document) VALUES (%s, %s, %s, %s)
		ON CONFLICT (id) DO UPDATE SET n = excluded.n, tags = excluded.tags, flow_document = excluded.flow_document`,
		d.placeholder(0), d.placeholder(1), d.placeholder(2), d.placeholder(3))
	return func(round int) {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare(stmt)
		if err != nil {
			b.Fatal(err)
		}
		for j := range benchTxnRows {
			id := benchID(round, j)
			if _, err := st.Exec(id, int64(j), `["x","y"]`, string(benchDoc(id, j))); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// applyBench creates the tables of spec through the connector's Apply.
func applyBench(b *testing.B, ep connector.Endpoint, spec *connector.MaterializationSpec) {
	if _, err := connector.ApplyMaterialization(b.Context(), ep, connector.Options{}, &connector.MaterializeApply{Materialization: spec}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSQLite: rows/s of standard updates (loads of new keys, then stores) through
// materialize-sqlite, beside a plain upsert into another database file.
func BenchmarkSQLite(b *testing.B) {
	newSpec := func(name string) (*connector.MaterializationSpec, string) {
		path := filepath.Join(b.TempDir(), name+".db")
		return &connector.MaterializationSpec{Name: "bench/sqlite", Config: json.RawMessage(fmt.Sprintf(`{"path":%q}`, path)),
			Bindings: []connector.MaterializationBinding{testBinding("things", false)}}, path
	}
	ep := connector.Endpoint{Task: "bench/sqlite", Image: SQLiteImage}
	baseSpec, basePath := newSpec("baseline")
	applyBench(b, ep, baseSpec)
	db, err := sql.Open("sqlite3", sqliteConfig{Path: basePath}.dsn())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	spec, _ := newSpec("protocol")
	ps := openProtocolSession(b, ep, spec)
	benchInterleaved(b, upsertBaseline(b, db, &sqliteDialect), func(round int) { ps.txn(round, true, &connector.Checkpoint{}) })
}

// BenchmarkPostgres is BenchmarkSQLite on a throwaway PostgreSQL cluster, each path in its own
// database.
func BenchmarkPostgres(b *testing.B) {
	cluster := pgtest.Shared(b)
	newSpec := func() (*connector.MaterializationSpec, string) {
		database := cluster.NewDatabase(b)
		return &connector.MaterializationSpec{Name: "bench/pg", Config: json.RawMessage(fmt.Sprintf(
			`{"address":%q,"user":%q,"password":%q,"database":%q}`, cluster.Address(), pgtest.SuperUser, pgtest.SuperPassword, database)),
			Bindings: []connector.MaterializationBinding{testBinding("things", false)}}, database
	}
	ep := connector.Endpoint{Task: "bench/pg", Image: PostgresImage}
	baseSpec, database := newSpec()
	applyBench(b, ep, baseSpec)
	db, err := sql.Open("pgx", cluster.URL(database))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	spec, _ := newSpec()
	ps := openProtocolSession(b, ep, spec)
	benchInterleaved(b, upsertBaseline(b, db, &postgresDialect), func(round int) { ps.txn(round, true, &connector.Checkpoint{}) })
}
