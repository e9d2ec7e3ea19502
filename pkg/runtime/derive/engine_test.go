package derive

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
)

// transfersCatalog is Flow's tutorial first-send derivation (flow-spec 5.2) with more transforms
// exercising each output form.
const transfersCatalog = `
collections:
  bank/transfers:
    schema:
      type: object
      properties:
        id: {type: integer}
        sender: {type: string}
        recipient: {type: string}
        amount: {type: number}
        approved: {type: boolean}
        memo: {type: string, default: "none"}
        cents: {type: string, format: integer}
        ratio: {type: string, format: number}
        tags: {type: array, items: {type: string}}
        with-hyphen: {type: string}
        nested: {type: object, properties: {inner: {type: integer}}}
      required: [id, sender, recipient, amount]
    key: [/id]
  bank/first-send:
    schema:
      type: object
      properties:
        id: {type: integer}
      required: [id]
    key: [/id]
    derive:
      using:
        sqlite:
          migrations:
            - CREATE TABLE seen_pairs (sender TEXT NOT NULL, recipient TEXT NOT NULL, PRIMARY KEY (sender, recipient));
            - CREATE TABLE counts (n INTEGER);
      transforms:
        - name: fromTransfers
          source: bank/transfers
          shuffle: {key: [/sender, /recipient]}
          lambda: >
            INSERT INTO seen_pairs (sender, recipient) VALUES ($sender, $recipient)
            ON CONFLICT DO NOTHING RETURNING $id, $sender, $recipient, $amount;
        - name: wholeDocument
          source: bank/transfers
          shuffle: any
          lambda: SELECT JSON_OBJECT('id', $id + 1000, 'pair', JSON_ARRAY($sender, $recipient)) AS json_doc;
        - name: republish
          source: bank/transfers
          shuffle: any
          lambda: SELECT json($flow_document);
        - name: bindings
          source: bank/transfers
          shuffle: any
          lambda: |
            SELECT $id + 2000 AS id, $approved AS approved, $memo AS memo, $cents AS cents,
              typeof($cents) AS cents_type, $ratio AS ratio, typeof($ratio) AS ratio_type,
              $tags AS tags, typeof($tags) AS tags_type, $with_hyphen AS hyphen, $nested$inner,
              $flow_published_at AS published, $amount * 100 AS foo, 0.5 * 4 AS real,
              X'CAFE' AS blob, '[not json' AS text, NULL AS nada;
        - name: multiStatement
          source: bank/transfers
          shuffle: any
          lambda: |
            INSERT INTO counts (n) VALUES ($id);
            SELECT 3000 + COUNT(*) AS id, SUM(n) AS total FROM counts;
            SELECT 4000 + $id AS id WHERE $id > 1;
`

func TestPublishedDocuments(t *testing.T) {
	built := catalogtest.Build(t, transfersCatalog, nil)
	t1 := `{"id": 1, "sender": "alice", "recipient": "bob", "amount": 12.5, "approved": true,
		"cents": "1250", "ratio": "0.25", "tags": ["a","b"], "with-hyphen": "h", "nested": {"inner": 7}}`
	t2 := `{"id": 2, "sender": "alice", "recipient": "bob", "amount": 3, "approved": false, "cents": "x"}`
	t3 := `{"id": 3, "sender": "bob", "recipient": "alice", "amount": 1}`

	tests := []struct {
		transform string
		docs      []string
		want      []string
	}{
		{"fromTransfers", []string{t1, t2, t3}, []string{
			`{"amount":12.5,"id":1,"recipient":"bob","sender":"alice"}`,
			`{"amount":1,"id":3,"recipient":"alice","sender":"bob"}`,
		}},
		{"wholeDocument", []string{t3}, []string{`{"id":1003,"pair":["bob","alice"]}`}},
		{"republish", []string{t3}, []string{`{"amount":1,"id":3,"recipient":"alice","sender":"bob"}`}},
		{"bindings", []string{t1}, []string{
			`{"approved":1,"blob":"yv4=","cents":1250,"cents_type":"integer","foo":1250.0,"hyphen":"h",` +
				`"id":2001,"memo":"none","nada":null,"nested/inner":7,"published":"2024-05-01T10:00:00Z",` +
				`"ratio":0.25,"ratio_type":"real","real":2.0,"tags":["a","b"],"tags_type":"text","text":"[not json"}`,
		}},
		{"bindings", []string{t2}, []string{
			`{"approved":0,"blob":"yv4=","cents":"x","cents_type":"text","foo":300,"hyphen":null,` +
				`"id":2002,"memo":"none","nada":null,"nested/inner":null,"published":"2024-05-01T10:00:00Z",` +
				`"ratio":null,"ratio_type":"null","real":2.0,"tags":null,"tags_type":"null","text":"[not json"}`,
		}},
		{"multiStatement", []string{t1, t2}, []string{
			`{"id":3001,"total":1}`, `{"id":3002,"total":3}`, `{"id":4002}`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.transform, func(t *testing.T) {
			e := openEngine(t, built, "bank/first-send", MemoryPath)
			got := readAll(t, e, tc.transform, tc.docs...)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("published\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestPublishedDocumentsCombineByKey(t *testing.T) {
	built := catalogtest.Build(t, `
collections:
  in:
    schema: {type: object, properties: {k: {type: string}, n: {type: integer}}, required: [k, n]}
    key: [/k]
  sums:
    schema:
      type: object
      reduce: {strategy: merge}
      properties: {k: {type: string}, n: {type: integer, reduce: {strategy: sum}}}
      required: [k, n]
    key: [/k]
    derive:
      using: {sqlite: {}}
      transforms:
        - {name: add, source: in, shuffle: any, lambda: "SELECT $k AS k, $n AS n;"}
`, nil)
	e := openEngine(t, built, "sums", MemoryPath)
	got := readAll(t, e, "add", `{"k":"b","n":1}`, `{"k":"a","n":2}`, `{"k":"b","n":5}`)
	want := []string{`{"k":"a","n":2}`, `{"k":"b","n":6}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Flow's derive.published counts what the lambdas returned, before combining: three documents
	// of 15 bytes each, then nothing until more are published.
	if docs, bytes := e.TakePublished(); docs != 3 || bytes != 3*15 {
		t.Errorf("published %d documents of %d bytes, want 3 of 45", docs, bytes)
	}
	if docs, bytes := e.TakePublished(); docs != 0 || bytes != 0 {
		t.Errorf("published counts did not restart from zero: %d, %d", docs, bytes)
	}
	if again := drain(t, e); len(again) != 0 {
		t.Errorf("a second drain returned %v", again)
	}
}

func TestLambdaErrors(t *testing.T) {
	built := catalogtest.Build(t, `
collections:
  in:
    schema: {type: object, properties: {k: {type: string}, n: {type: integer}}, required: [k]}
    key: [/k]
  out:
    schema: {type: object, properties: {k: {type: string}, n: {type: integer}}, required: [k, n]}
    key: [/k]
    derive:
      using: {sqlite: {migrations: ["CREATE TABLE t (k TEXT PRIMARY KEY);"]}}
      transforms:
        - {name: invalid, source: in, shuffle: any, lambda: "SELECT $k AS k, 'text' AS n;"}
        - {name: failing, source: in, shuffle: any, lambda: "SELECT 1 AS k, 1 AS n WHERE 0; INSERT INTO t (k) VALUES ($k);"}
        - {name: notObject, source: in, shuffle: any, lambda: "SELECT json_array($k) AS json;"}
`, nil)
	tests := []struct {
		transform string
		want      []string
	}{
		{"invalid", []string{"transform invalid statement 1", `source document {"k":"a"}`,
			`published {"k":"a","n":"text"}`, "invalid for collection out"}},
		{"failing", []string{"transform failing statement 2", "INSERT INTO t", `source document {"k":"a"}`, "UNIQUE constraint"}},
		{"notObject", []string{"transform notObject statement 1", `published ["a"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.transform, func(t *testing.T) {
			e := openEngine(t, built, "out", MemoryPath)
			i, _ := e.Transform(tc.transform)
			var err error
			for range 2 {
				if err = e.Read(context.Background(), i, source(t, `{"k":"a"}`)); err != nil {
					break
				}
			}
			var lambdaErr *LambdaError
			if !errors.As(err, &lambdaErr) {
				t.Fatalf("got %v, want a LambdaError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

const counterCatalog = `
collections:
  in:
    schema: {type: object, properties: {k: {type: string}}, required: [k]}
    key: [/k]
  counts:
    schema: {type: object, properties: {k: {type: string}, n: {type: integer}}, required: [k, n]}
    key: [/k]
    derive:
      using:
        sqlite:
          migrations: [%s]
      transforms:
        - name: count
          source: in
          shuffle: {key: [/k]}
          lambda: >
            INSERT INTO counts (k, n) VALUES ($k, 1) ON CONFLICT (k) DO UPDATE SET n = n + 1
            RETURNING k, n;
`

func TestCommitRecoversStateWithCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counts.db")
	v1 := catalogtest.Build(t, strings.Replace(counterCatalog, "%s",
		`"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);"`, 1), nil)
	ctx := context.Background()

	e := openEngine(t, v1, "counts", path)
	if cp, err := e.Checkpoint(ctx); err != nil || cp != nil {
		t.Fatalf("fresh database checkpoint %q, %v", cp, err)
	}
	readAll(t, e, "count", `{"k":"a"}`)
	if err := e.Commit(ctx, []byte("cp-1")); err != nil {
		t.Fatal(err)
	}
	// Not committed: closing rolls it back.
	readAll(t, e, "count", `{"k":"a"}`, `{"k":"b"}`)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// A new migration is applied once, on top of the recovered state.
	v2 := catalogtest.Build(t, strings.Replace(counterCatalog, "%s",
		`"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);", "UPDATE counts SET n = n + 10;"`, 1), nil)
	e = openEngine(t, v2, "counts", path)
	if cp, err := e.Checkpoint(ctx); err != nil || string(cp) != "cp-1" {
		t.Fatalf("recovered checkpoint %q, %v; want cp-1", cp, err)
	}
	got := readAll(t, e, "count", `{"k":"a"}`, `{"k":"b"}`)
	if want := []string{`{"k":"a","n":12}`, `{"k":"b","n":1}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("after recovery got %v, want %v", got, want)
	}
	if err := e.Commit(ctx, []byte("cp-2")); err != nil {
		t.Fatal(err)
	}
	e.Close()

	e = openEngine(t, v2, "counts", path)
	var scripts []int
	rows, err := e.conn.QueryContext(ctx, "SELECT script_index FROM flow_migrations ORDER BY script_index")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var i int
		rows.Scan(&i)
		scripts = append(scripts, i)
	}
	rows.Close()
	if !reflect.DeepEqual(scripts, []int{0, 1}) {
		t.Errorf("flow_migrations holds %v, want [0 1]", scripts)
	}
	got = readAll(t, e, "count", `{"k":"a"}`)
	if want := []string{`{"k":"a","n":13}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("migration applied twice? got %v, want %v", got, want)
	}
}

func TestRemovedMigrationIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counts.db")
	v2 := catalogtest.Build(t, strings.Replace(counterCatalog, "%s",
		`"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);", "SELECT 1;"`, 1), nil)
	e := openEngine(t, v2, "counts", path)
	if err := e.Commit(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	e.Close()
	v1 := catalogtest.Build(t, strings.Replace(counterCatalog, "%s", `"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);"`, 1), nil)
	_, err := Open(context.Background(), v1.Collection("counts"), path)
	if err == nil || !strings.Contains(err.Error(), "2 migrations applied but the derivation defines only 1") {
		t.Fatalf("got %v", err)
	}
}

func TestReset(t *testing.T) {
	built := catalogtest.Build(t, strings.Replace(counterCatalog, "%s", `"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);"`, 1), nil)
	e := openEngine(t, built, "counts", filepath.Join(t.TempDir(), "counts.db"))
	readAll(t, e, "count", `{"k":"a"}`, `{"k":"a"}`)
	i, _ := e.Transform("count")
	if err := e.Read(context.Background(), i, source(t, `{"k":"a"}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Both the table and the unpublished documents are gone.
	if got, want := readAll(t, e, "count", `{"k":"a"}`), []string{`{"k":"a","n":1}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("after reset got %v, want %v", got, want)
	}
}

func TestOpenRejectsNonSQLite(t *testing.T) {
	built := catalogtest.Build(t, strings.Replace(counterCatalog, "%s", `"CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER);"`, 1), nil)
	if _, err := Open(context.Background(), built.Collection("in"), MemoryPath); err == nil ||
		!strings.Contains(err.Error(), "in is not a SQLite derivation") {
		t.Fatalf("got %v", err)
	}
}
