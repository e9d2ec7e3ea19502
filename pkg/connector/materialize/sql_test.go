package materialize

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

// testBinding materializes collection acmeCo/things {id: string key, n: integer, tags: array}
// into table.
func testBinding(table string, delta bool) connector.MaterializationBinding {
	must := connector.ExistsMust
	return connector.MaterializationBinding{
		ResourceConfig: json.RawMessage(fmt.Sprintf(`{"table":%q,"delta_updates":%v}`, table, delta)),
		ResourcePath:   []string{table},
		Collection: connector.CollectionSpec{Name: "acmeCo/things", Key: []string{"/id"}, Projections: []connector.Projection{
			{Field: "id", Ptr: "/id", IsPrimaryKey: true, Inference: connector.Inference{Types: []string{"string"}, Exists: must}},
			{Field: "n", Ptr: "/n", Inference: connector.Inference{Types: []string{"integer"}, Exists: connector.ExistsMay}},
			{Field: "tags", Ptr: "/tags", Inference: connector.Inference{Types: []string{"array"}, Exists: connector.ExistsMay}},
			{Field: "flow_document", Ptr: "", Inference: connector.Inference{Types: []string{"object"}, Exists: must}},
		}},
		FieldSelection: connector.FieldSelection{Keys: []string{"id"}, Values: []string{"n", "tags"}, Document: "flow_document"},
	}
}

type session struct {
	t *testing.T
	s connector.MaterializeStream
}

func openSession(t *testing.T, ep connector.Endpoint, spec *connector.MaterializationSpec) (*session, *connector.Checkpoint) {
	t.Helper()
	s, err := connector.OpenMaterialize(t.Context(), ep, connector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ss := &session{t: t, s: s}
	opened := ss.exchange(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{Materialization: spec, Range: &connector.FullRange}}, "opened")
	ss.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	return ss, opened[0].Opened.RuntimeCheckpoint
}

func (ss *session) exchange(req *connector.MaterializeRequest, kinds ...string) []*connector.MaterializeResponse {
	ss.t.Helper()
	if err := ss.s.Send(req); err != nil {
		ss.t.Fatal(err)
	}
	var out []*connector.MaterializeResponse
	for _, k := range kinds {
		r, err := ss.s.Recv()
		if err != nil {
			ss.t.Fatalf("waiting for %s: %v", k, err)
		}
		if r.Kind() != k {
			ss.t.Fatalf("got %s, want %s", r.Kind(), k)
		}
		out = append(out, r)
	}
	return out
}

// txn runs one transaction of docs {id, n} through load, flush, store and startCommit, as the
// runtime does: it loads every key, reduces by replacing n, and stores with exists set from the
// loads. It returns the loaded documents and the error of startCommit, if any.
func (ss *session) txn(readThrough int64, ids []string, n int, del bool) (map[string]string, error) {
	for _, id := range ids {
		ss.exchange(&connector.MaterializeRequest{Load: &connector.Load{Key: json.RawMessage(fmt.Sprintf("[%q]", id))}})
	}
	if err := ss.s.Send(&connector.MaterializeRequest{Flush: &connector.Flush{}}); err != nil {
		ss.t.Fatal(err)
	}
	loaded := map[string]string{}
	for {
		r, err := ss.s.Recv()
		if err != nil {
			ss.t.Fatal(err)
		}
		if r.Flushed != nil {
			break
		}
		var doc struct{ ID string }
		_ = json.Unmarshal(r.Loaded.Doc, &doc)
		loaded[doc.ID] = string(r.Loaded.Doc)
	}
	for _, id := range ids {
		op := "u"
		if del {
			op = "d"
		}
		doc := fmt.Sprintf(`{"id":%q,"n":%d,"tags":["a"],"_meta":{"op":%q}}`, id, n, op)
		_, exists := loaded[id]
		ss.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(fmt.Sprintf("[%q]", id)),
			Values: json.RawMessage(fmt.Sprintf(`[%d,["a"]]`, n)), Doc: json.RawMessage(doc), Exists: exists, Delete: del}})
	}
	cp := &connector.Checkpoint{Sources: map[string]connector.SourceCheckpoint{"acmeCo/things/pivot=00;materialize/x": {ReadThrough: readThrough}}}
	if err := ss.s.Send(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: cp}}); err != nil {
		ss.t.Fatal(err)
	}
	r, err := ss.s.Recv()
	if err == nil && r.StartedCommit == nil {
		ss.t.Fatalf("got %s, want startedCommit", r.Kind())
	}
	return loaded, err
}

func sqliteEndpoint(t *testing.T, hardDelete bool) (connector.Endpoint, *connector.MaterializationSpec, string) {
	path := filepath.Join(t.TempDir(), "out.db")
	spec := &connector.MaterializationSpec{Name: "acmeCo/to-sqlite", ConnectorType: connector.ConnectorTypeImage,
		Config:   json.RawMessage(fmt.Sprintf(`{"path":%q,"hardDelete":%v}`, path, hardDelete)),
		Bindings: []connector.MaterializationBinding{testBinding("things", false), testBinding("thing log", true)}}
	return connector.Endpoint{Task: spec.Name, Image: SQLiteImage + ":v1"}, spec, path
}

func TestSQLiteResumeWithoutDuplicatesOrLosses(t *testing.T) {
	ep, spec, path := sqliteEndpoint(t, false)
	a, cp := openSession(t, ep, spec)
	if cp != nil {
		t.Fatalf("a new database holds checkpoint %+v", cp)
	}
	if _, err := a.txn(100, []string{"k1", "k2"}, 1, false); err != nil {
		t.Fatal(err)
	}
	// Second transaction: stores sent, then the connector is dropped before startCommit.
	a.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	a.exchange(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["k3"]`),
		Values: json.RawMessage(`[9,[]]`), Doc: json.RawMessage(`{"id":"k3","n":9}`)}})
	_ = a.s.Close()

	b, cp := openSession(t, ep, spec)
	if cp == nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 100 {
		t.Fatalf("resumed from checkpoint %+v, want readThrough 100", cp)
	}
	// The runtime replays from offset 100: k2 again and k3.
	loaded, err := b.txn(200, []string{"k2", "k3"}, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loaded["k2"], `"n":1`) || loaded["k3"] != "" {
		t.Fatalf("loaded %v: want k2 from the first transaction and no k3", loaded)
	}
	if err := b.s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := queryStrings(t, db, `SELECT id || ':' || n || ':' || tags FROM things ORDER BY id`)
	if want := []string{`k1:1:["a"]`, `k2:2:["a"]`, `k3:2:["a"]`}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rows %v, want %v", got, want)
	}
	if n := queryStrings(t, db, `SELECT count(*) FROM "thing log"`); n[0] != "0" {
		t.Errorf("delta table has %s rows, want 0 (the test stores none)", n[0])
	}
	stored := queryStrings(t, db, `SELECT checkpoint FROM flow_checkpoints_v1`)
	if cp, err := decodeCheckpoint(stored[0]); err != nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 200 {
		t.Errorf("checkpoint table holds %+v (%v), want readThrough 200", cp, err)
	}
}

func TestSQLiteFencesOffAZombie(t *testing.T) {
	ep, spec, _ := sqliteEndpoint(t, false)
	zombie, _ := openSession(t, ep, spec)
	if _, err := zombie.txn(1, []string{"a"}, 1, false); err != nil {
		t.Fatal(err)
	}
	zombie.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	successor, _ := openSession(t, ep, spec)
	defer successor.s.Close()
	_, err := zombie.txn(2, []string{"b"}, 1, false)
	if err == nil || !strings.Contains(err.Error(), "fenced off") {
		t.Fatalf("zombie commit: %v, want fenced off", err)
	}
	if _, err := successor.txn(2, []string{"b"}, 1, false); err != nil {
		t.Fatalf("successor commit: %v", err)
	}
}

func TestSQLiteDeletes(t *testing.T) {
	for _, hard := range []bool{false, true} {
		t.Run(fmt.Sprintf("hardDelete=%v", hard), func(t *testing.T) {
			ep, spec, path := sqliteEndpoint(t, hard)
			s, _ := openSession(t, ep, spec)
			if _, err := s.txn(1, []string{"a", "b"}, 1, false); err != nil {
				t.Fatal(err)
			}
			s.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
			if _, err := s.txn(2, []string{"a"}, 1, true); err != nil {
				t.Fatal(err)
			}
			_ = s.s.Close()
			db, _ := sql.Open("sqlite3", path)
			defer db.Close()
			got := strings.Join(queryStrings(t, db, `SELECT id || ':' || json_extract(flow_document, '$._meta.op') FROM things ORDER BY id`), " ")
			want := "a:d b:u" // soft delete keeps the row, marked
			if hard {
				want = "b:u"
			}
			if got != want {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
