package runtime

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/catalogtest"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile" // registers source-file
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"        // registers materialize-sqlite
	"github.com/flowctl/flowctl/pkg/journal"
	_ "github.com/mattn/go-sqlite3"
)

// pipelineCatalog is a finite pipeline: a file capture into a partitioned collection with a
// summing reduction, materialized into SQLite.
const pipelineCatalog = `
collections:
  acme/events:
    schema:
      type: object
      properties:
        id: {type: string}
        region: {type: string}
        n: {type: integer, reduce: {strategy: sum}}
      required: [id, region, n]
      reduce: {strategy: merge}
    key: [/id]
    projections:
      region: {location: /region, partition: true}
captures:
  acme/from-file:
    endpoint:
      connector:
        image: ghcr.io/flowctl/source-file:v1
        config: {path: %q}
    bindings:
      - resource: {stream: events}
        target: acme/events
materializations:
  acme/to-sqlite:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-sqlite:dev
        config: {path: %q}
    bindings:
      - source: acme/events
        resource: {table: events}
`

// writePipeline writes the catalog and its input file, returning the catalog and database paths.
func writePipeline(t testing.TB, lines []string) (string, string) {
	dir := t.TempDir()
	input, db := filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "out.db")
	if err := os.WriteFile(input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(fmt.Sprintf(pipelineCatalog, input, db)), 0o644); err != nil {
		t.Fatal(err)
	}
	return src, db
}

// runUntilIdle runs the runtime until it is idle, then stops it.
func runUntilIdle(t testing.TB, rt *Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { rt.Run(ctx); close(done) }()
	for !rt.Idle() {
		select {
		case <-ctx.Done():
			t.Fatalf("runtime did not become idle: %+v", rt.Stats())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	<-done
}

func TestRuntimeCaptureToSQLite(t *testing.T) {
	lines := []string{
		`{"id":"a","region":"eu","n":1}`,
		`{"id":"b","region":"us","n":2}`,
		`{"id":"a","region":"eu","n":10}`,
	}
	src, db := writePipeline(t, lines)
	built := catalogtest.BuildFile(t, src)
	dataDir := t.TempDir()

	run := func() []TaskStats {
		l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, c := range built.Collections {
			if err := l.AddCollection(journal.CollectionSpec{Name: c.Name, PartitionFields: c.PartitionFields}); err != nil {
				t.Fatal(err)
			}
		}
		rt := New(Options{Built: built, Client: l, DataDir: dataDir})
		runUntilIdle(t, rt)
		return rt.Stats()
	}
	stats := run()
	for _, s := range stats {
		if s.LastError != "" {
			t.Errorf("%s failed: %s", s.Task, s.LastError)
		}
	}
	want := [][2]any{{"a", int64(11)}, {"b", int64(2)}}
	if got := sqliteRows(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("destination rows: got %v, want %v", got, want)
	}
	// A second run resumes where the first stopped: nothing is captured or stored twice.
	run()
	if got := sqliteRows(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after a restart: got %v, want %v", got, want)
	}
}

func sqliteRows(t testing.TB, path string) [][2]any {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, n FROM events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][2]any
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, [2]any{id, n})
	}
	return out
}
