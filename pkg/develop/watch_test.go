package develop

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/runtime"
)

// status is GET /status as a test reads it.
type status struct {
	Idle    bool                `json:"idle"`
	Tasks   []runtime.TaskStats `json:"tasks"`
	Catalog CatalogStatus       `json:"catalog"`
}

func getStatus(t *testing.T, base string) status {
	t.Helper()
	resp, err := http.Get(base + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s status
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitStatus polls GET /status until ok holds.
func waitStatus(t *testing.T, base, what string, ok func(status) bool) status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := getStatus(t, base)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: status %+v", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func taskOf(s status, name string) *runtime.TaskStats {
	for i := range s.Tasks {
		if s.Tasks[i].Task == name {
			return &s.Tasks[i]
		}
	}
	return nil
}

// secondMaterialization is appended to apiCatalog; %s is its table.
const secondMaterialization = `
  api/to-second:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-sqlite:dev
        config: {path: second.db}
    bindings:
      - {source: api/events, resource: {table: %s}}
`

func TestWatchCatalog(t *testing.T) {
	base, dataDir := startDevelop(t, apiCatalog, DefaultMaxIngestBytes, func(o *Options) { o.WatchInterval = 20 * time.Millisecond })
	src := filepath.Join(filepath.Dir(dataDir), "flow.yaml")
	// write replaces the catalog at once, so that the watcher never reads it half-written.
	write := func(content string) {
		t.Helper()
		tmp := src + ".tmp"
		if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, src); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := post(t, base+"/ingest/api/events", `[{"id":1,"kind":"view"},{"id":2,"kind":"click"}]`); code != 200 {
		t.Fatalf("ingest: %d %s", code, body)
	}
	waitStatus(t, base, "the first materialization", func(s status) bool {
		m := taskOf(s, "api/to-sqlite")
		return s.Idle && m != nil && m.DocsIn == 2
	})

	// A new task starts and catches up; the unchanged one keeps running (no restart).
	write("# edited\n" + apiCatalog + strings.Replace(secondMaterialization, "%s", "events", 1))
	s := waitStatus(t, base, "the added materialization", func(s status) bool {
		m := taskOf(s, "api/to-second")
		return s.Catalog.Version == 2 && s.Idle && m != nil && m.DocsIn == 2
	})
	if first := taskOf(s, "api/to-sqlite"); first.Restarts != 0 || first.DocsIn != 2 {
		t.Errorf("the unchanged task was restarted or re-read: %+v", first)
	}

	// A catalog that fails its check keeps the running version and reports why.
	write(apiCatalog + strings.Replace(strings.Replace(secondMaterialization, "%s", "events", 1), "api/events", "api/missing", 1))
	s = waitStatus(t, base, "the catalog error", func(s status) bool { return s.Catalog.Errors != "" })
	if !strings.Contains(s.Catalog.Errors, "api/missing") || s.Catalog.Version != 2 || len(s.Tasks) != 2 {
		t.Errorf("after a failing catalog: %+v", s)
	}
	if code, body := post(t, base+"/ingest/api/events", `{"id":3,"kind":"view"}`); code != 200 {
		t.Fatalf("ingest during a failing catalog: %d %s", code, body)
	}
	waitStatus(t, base, "both tasks to read on", func(s status) bool {
		a, b := taskOf(s, "api/to-sqlite"), taskOf(s, "api/to-second")
		return s.Idle && a != nil && b != nil && a.DocsIn == 3 && b.DocsIn == 3
	})

	// Removing a task stops it; changing one (here its endpoint config) restarts it from its
	// checkpoint: it reads only what is new.
	changed := strings.NewReplacer("api/to-sqlite:", "api/to-second:", "path: out.db", "path: second.db, hardDelete: true")
	write(changed.Replace(apiCatalog))
	s = waitStatus(t, base, "the removal and the change", func(s status) bool {
		return s.Catalog.Version == 3 && s.Catalog.Errors == "" && len(s.Tasks) == 1
	})
	second := taskOf(s, "api/to-second")
	if second == nil || second.Restarts != 1 || second.DocsIn != 3 {
		t.Errorf("the changed task: %+v", second)
	}
	if code, body := post(t, base+"/ingest/api/events", `{"id":4,"kind":"view"}`); code != 200 {
		t.Fatalf("ingest: %d %s", code, body)
	}
	s = waitStatus(t, base, "the changed task to read the new document", func(s status) bool {
		m := taskOf(s, "api/to-second")
		return s.Idle && m != nil && m.DocsIn >= 4
	})
	if m := taskOf(s, "api/to-second"); m.DocsIn != 4 {
		t.Errorf("the restarted task read %d documents in all, want 4 (3, then only the new one)", m.DocsIn)
	}
}
