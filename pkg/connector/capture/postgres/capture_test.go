package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/flowctl/flowctl/internal/pgtest"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	conn   *pgx.Conn
	config json.RawMessage
}

func newFixture(t *testing.T, setup ...string) *fixture {
	c := pgtest.Shared(t)
	db := c.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	for _, sql := range setup {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	cfg := fmt.Sprintf(`{"address":%q,"user":%q,"password":%q,"database":%q,"advanced":{"slotName":"slot_%s","backfill_chunk_size":2}}`,
		c.Address(), pgtest.SuperUser, pgtest.SuperPassword, db, db)
	return &fixture{conn: conn, config: json.RawMessage(cfg)}
}

func (f *fixture) exec(t *testing.T, sql string) {
	t.Helper()
	if _, err := f.conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) spec(tables ...string) *connector.CaptureSpec {
	s := &connector.CaptureSpec{Name: "acmeCo/pg", Config: f.config}
	for _, tbl := range tables {
		s.Bindings = append(s.Bindings, connector.CaptureBinding{
			ResourceConfig: json.RawMessage(`{"namespace":"public","stream":"` + tbl + `"}`),
			ResourcePath:   []string{"public", tbl},
			Collection:     connector.CollectionSpec{Name: "acmeCo/" + tbl, Key: []string{"/id"}},
		})
	}
	return s
}

// rows reads the table as captured documents would reduce to: id -> name.
func (f *fixture) rows(t *testing.T) map[string]string {
	rows, err := f.conn.Query(context.Background(), "SELECT id::text, name FROM users")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		out[id] = name
	}
	return out
}

// reduce applies captured documents in order: last write wins, deletes remove.
func reduce(into map[string]string, docs []capturetest.Doc) {
	for _, d := range docs {
		id := fmt.Sprint(d.Doc["id"])
		if d.Doc["_meta"].(map[string]any)["op"] == "d" {
			delete(into, id)
		} else {
			into[id] = d.Doc["name"].(string)
		}
	}
}

// readUntil reads whole checkpoints until done holds over the documents read so far.
func readUntil(t *testing.T, s *capturetest.Session, done func([]capturetest.Doc) bool) ([]capturetest.Doc, []*connector.ConnectorState) {
	t.Helper()
	var docs []capturetest.Doc
	var states []*connector.ConnectorState
	for !done(docs) {
		d, st := s.Checkpoints(t, 1)
		docs, states = append(docs, d...), append(states, st...)
	}
	return docs, states
}

func ops(docs []capturetest.Doc) string {
	var out []string
	for _, d := range docs {
		out = append(out, fmt.Sprintf("%s:%v", d.Doc["_meta"].(map[string]any)["op"], d.Doc["id"]))
	}
	return strings.Join(out, " ")
}

func TestBackfillThenChangesAcrossARestart(t *testing.T) {
	f := newFixture(t,
		"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 5) g")
	s, opened := capturetest.Open(t, Image, f.spec("users"), nil)
	if !opened.ExplicitAcknowledgements {
		t.Fatal("source-postgres must ask for explicit acknowledgements")
	}
	// Five rows in chunks of two: three backfill checkpoints, the last one marking the table active.
	docs, states := readUntil(t, s, func(d []capturetest.Doc) bool { return len(d) >= 5 })
	if got := ops(docs); got != "c:1 c:2 c:3 c:4 c:5" {
		t.Fatalf("backfill = %s", got)
	}
	if snap := docs[0].Doc["_meta"].(map[string]any)["source"].(map[string]any)["snapshot"]; snap != true {
		t.Fatalf("backfill document lacks source.snapshot: %v", docs[0].Doc)
	}
	f.exec(t, "INSERT INTO users VALUES (6, 'user 6')")
	f.exec(t, "UPDATE users SET name = 'renamed' WHERE id = 2")
	f.exec(t, "DELETE FROM users WHERE id = 3")
	more, moreStates := readUntil(t, s, func(d []capturetest.Doc) bool { return len(d) >= 3 })
	if got := ops(more); got != "c:6 u:2 d:3" {
		t.Fatalf("changes = %s", got)
	}
	if del := more[2].Doc; len(del) != 2 {
		t.Fatalf("a delete carries the key and _meta only, got %v", del)
	}
	docs, states = append(docs, more...), append(states, moreStates...)
	s.Acknowledge(t, uint32(len(states)))
	state := capturetest.ApplyStates(t, nil, states)
	var parsed checkpointState
	if err := json.Unmarshal(state, &parsed); err != nil || parsed.Bindings["public/users"].Mode != modeActive || parsed.Cursor == "" {
		t.Fatalf("state after backfill and changes = %s (%v)", state, err)
	}
	s.Close()

	// Changes while the capture is down arrive after the restart, and nothing acknowledged repeats.
	f.exec(t, "INSERT INTO users VALUES (7, 'user 7')")
	f.exec(t, "UPDATE users SET name = 'six' WHERE id = 6")
	s, _ = capturetest.Open(t, Image, f.spec("users"), state)
	after, _ := readUntil(t, s, func(d []capturetest.Doc) bool { return len(d) >= 2 })
	if got := ops(after); got != "c:7 u:6" {
		t.Fatalf("after restart = %s, want exactly the changes made while down", got)
	}
	captured := map[string]string{}
	reduce(captured, append(docs, after...))
	if want := f.rows(t); !reflect.DeepEqual(captured, want) {
		t.Fatalf("captured %v\ntable    %v", captured, want)
	}
}

func TestRestartDuringBackfillResumesFromScannedKey(t *testing.T) {
	f := newFixture(t,
		"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 6) g")
	s, _ := capturetest.Open(t, Image, f.spec("users"), nil)
	// One chunk: ids 1 and 2 (the watermark's own transaction checkpoints before it).
	first, states := readUntil(t, s, func(d []capturetest.Doc) bool { return len(d) >= 2 })
	s.Acknowledge(t, uint32(len(states)))
	s.Close()
	if got := ops(first); got != "c:1 c:2" {
		t.Fatalf("first chunk = %s", got)
	}
	// Changes on both sides of the scanned key while the capture is down.
	f.exec(t, "UPDATE users SET name = 'low' WHERE id = 1")
	f.exec(t, "UPDATE users SET name = 'high' WHERE id = 5")
	state := capturetest.ApplyStates(t, nil, states)
	s, _ = capturetest.Open(t, Image, f.spec("users"), state)
	rest, _ := readUntil(t, s, func(d []capturetest.Doc) bool { return len(d) >= 5 })
	// id 1 is below the scanned key, so its update streams; id 5's update is read by the backfill.
	if got := ops(rest); got != "u:1 c:3 c:4 c:5 c:6" {
		t.Fatalf("after restart = %s", got)
	}
	captured := map[string]string{}
	reduce(captured, append(first, rest...))
	if want := f.rows(t); !reflect.DeepEqual(captured, want) {
		t.Fatalf("captured %v\ntable    %v", captured, want)
	}
}

func TestDiscoverTypesAndKeys(t *testing.T) {
	f := newFixture(t,
		`CREATE TABLE things (tenant TEXT, id BIGINT, price NUMERIC, seen TIMESTAMPTZ NOT NULL, ok BOOLEAN, data JSONB, PRIMARY KEY (tenant, id))`,
		`CREATE TABLE keyless (v INT)`)
	resp, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Discover: &connector.Discover{Config: f.config}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.Discovered.Bindings); n != 1 {
		t.Fatalf("discovered %d bindings, want only the keyed table", n)
	}
	b := resp.Discovered.Bindings[0]
	if b.RecommendedName != "public/things" || !reflect.DeepEqual(b.Key, []string{"/tenant", "/id"}) ||
		!reflect.DeepEqual(b.ResourcePath, []string{"public", "things"}) {
		t.Fatalf("binding = %+v", b)
	}
	var schema struct {
		Properties map[string]map[string]any
		Required   []string
	}
	if err := json.Unmarshal(b.DocumentSchema, &schema); err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]string{"tenant": `"string"`, "id": `"integer"`, "price": `["string","null"]`,
		"seen": `"string"`, "ok": `["boolean","null"]`} {
		if got, _ := json.Marshal(schema.Properties[col]["type"]); string(got) != want {
			t.Errorf("column %s type = %s, want %s", col, got, want)
		}
	}
	if schema.Properties["seen"]["format"] != "date-time" || !reflect.DeepEqual(schema.Required, []string{"tenant", "id", "_meta"}) {
		t.Errorf("schema = %+v", schema)
	}
}

func TestValidateErrors(t *testing.T) {
	f := newFixture(t, `CREATE TABLE keyless (v INT)`)
	for _, tc := range []struct{ resource, want string }{
		{`{"namespace":"public","stream":"missing"}`, "table public.missing does not exist"},
		{`{"namespace":"public","stream":"keyless"}`, "has no primary key"},
		{`{"namespace":"public"}`, "namespace (schema) and stream (table) are both required"},
	} {
		_, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Validate: &connector.CaptureValidate{
			Name: "acmeCo/pg", Config: f.config,
			Bindings: []connector.CaptureValidateBinding{{ResourceConfig: json.RawMessage(tc.resource)}},
		}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("resource %s: error %v, want %q", tc.resource, err, tc.want)
		}
	}
	_, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Discover: &connector.Discover{
		Config: json.RawMessage(`{"address":"127.0.0.1:1","user":"u","password":"p","database":"d"}`)}})
	if err == nil || !strings.Contains(err.Error(), "connecting to PostgreSQL at 127.0.0.1:1") {
		t.Errorf("unreachable server: %v", err)
	}
}
