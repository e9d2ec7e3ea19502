package develop

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// apiCatalog is a collection fed only by the HTTP API, materialized into SQLite.
const apiCatalog = `
collections:
  api/events:
    schema:
      type: object
      properties:
        id: {type: integer}
        kind: {type: string, enum: [click, view]}
      required: [id, kind]
    key: [/id]
materializations:
  api/to-sqlite:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-sqlite:dev
        config: {path: out.db}
    bindings:
      - {source: api/events, resource: {table: events}}
`

// startDevelop runs develop with its HTTP API on a free port until the test ends, and returns the
// API's base URL and the data directory.
func startDevelop(t testing.TB, catalogYAML string, maxBody int64, configure ...func(*Options)) (string, string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(catalogYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	built := buildCatalog(t, src)
	dataDir := filepath.Join(dir, "data")
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	opts := Options{Built: built, Source: src, DataDir: dataDir, Addr: "127.0.0.1:0", MaxIngestBytes: maxBody,
		OpenDerive: derive.OpenShard, Listening: func(a string) { addr <- a }, Logger: slog.New(slog.DiscardHandler)}
	for _, c := range configure {
		c(&opts)
	}
	go func() {
		_, err := Run(ctx, opts)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("develop: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a, dataDir
	case err := <-done:
		t.Fatalf("develop stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the HTTP API did not start")
	}
	return "", ""
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestIngest(t *testing.T) {
	base, dataDir := startDevelop(t, apiCatalog, 4096)
	cases := []struct {
		name, collection, body string
		status                 int
		response               []string // substrings of the response
		ingested               int      // documents the collection gains
	}{
		{"JSON lines", "api/events", "{\"id\":1,\"kind\":\"click\"}\n{\"id\":2,\"kind\":\"view\"}\n", 200, []string{`"published":2`}, 2},
		{"array", "api/events", `[{"id":3,"kind":"click"}, {"id":4,"kind":"view"}, {"id":5,"kind":"view"}]`, 200, []string{`"published":3`}, 3},
		{"values and arrays mixed", "api/events", `{"id":6,"kind":"view"} [{"id":7,"kind":"view"}]`, 200, []string{`"published":2`}, 2},
		{"one document without newline", "api/events", `{"id":8,"kind":"click"}`, 200, []string{`"published":1`}, 1},
		{"invalid document names index, line and rule", "api/events",
			"{\"id\":9,\"kind\":\"click\"}\n\n{\"id\":10,\"kind\":\"buy\"}\n", 400,
			[]string{"document 2 (line 3)", `{\"id\":10,\"kind\":\"buy\"}`, "enum", "nothing was ingested"}, 0},
		{"invalid element of an array", "api/events", "[\n {\"id\":11,\"kind\":\"view\"},\n {\"id\":\"twelve\",\"kind\":\"view\"}\n]", 400,
			[]string{"document 2 (line 3)", "nothing was ingested"}, 0},
		{"not JSON", "api/events", "{\"id\":13,\"kind\":\"view\"}\n{\"id\":14,", 400, []string{"document 2 (line 2)", "not JSON"}, 0},
		{"not an object", "api/events", `5`, 400, []string{"document 1 (line 1)", "JSON object"}, 0},
		{"empty body", "api/events", "  \n", 400, []string{"no documents"}, 0},
		{"unknown collection", "api/nope", `{"id":1,"kind":"view"}`, 404, []string{`no collection \"api/nope\"`}, 0},
		{"too large", "api/events", "[" + strings.Repeat(`{"id":15,"kind":"view"},`, 400) + `{"id":15,"kind":"view"}]`, 413,
			[]string{"larger than 4096 bytes"}, 0},
	}
	total := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := post(t, base+"/ingest/"+c.collection, c.body)
			if status != c.status {
				t.Errorf("status %d, want %d: %s", status, c.status, body)
			}
			for _, want := range c.response {
				if !strings.Contains(body, want) {
					t.Errorf("response %s lacks %q", body, want)
				}
			}
			total += c.ingested
			// The answer came once the documents were durable and committed: they are readable now.
			if got := len(readCollection(t, dataDir, "api/events")); got != total {
				t.Errorf("api/events holds %d documents, want %d", got, total)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	base, _ := startDevelop(t, apiCatalog, DefaultMaxIngestBytes)
	if status, body := post(t, base+"/ingest/api/events", `[{"id":1,"kind":"click"},{"id":2,"kind":"view"}]`); status != 200 {
		t.Fatalf("ingest: %d %s", status, body)
	}
	var got struct {
		Idle  bool                `json:"idle"`
		Tasks []runtime.TaskStats `json:"tasks"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Tasks) == 1 && got.Tasks[0].DocsIn == 2 && got.Idle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the materialization did not catch up: %+v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := got.Tasks[0]
	if s.Task != "api/to-sqlite" || s.Type != runtime.TaskMaterialization {
		t.Errorf("task %s of type %s", s.Task, s.Type)
	}
	if s.DocsOut != 2 || s.BytesIn <= 0 || s.BytesOut <= 0 || s.Commits < 1 || s.LastCommit.IsZero() || s.LastError != "" {
		t.Errorf("stats %+v", s)
	}
	if s.LagSeconds != 0 {
		t.Errorf("a caught-up task reports lag %v", s.LagSeconds)
	}
	if status, _ := post(t, base+"/status", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("POST /status answered %d", status)
	}
}
