package develop

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// failingCatalog's derivation publishes a document its schema rejects for the third order.
const failingCatalog = `
collections:
  f/orders:
    schema:
      type: object
      properties: {id: {type: integer}, total: {type: integer}}
      required: [id, total]
    key: [/id]
  f/checked:
    schema:
      type: object
      properties: {id: {type: integer}, total: {type: integer, maximum: 100}}
      required: [id, total]
    key: [/id]
    derive:
      using: {sqlite: {}}
      transforms:
        - {name: check, source: f/orders, shuffle: any, lambda: "SELECT $id AS id, $total AS total;"}
captures:
  f/from-file:
    endpoint: {connector: {image: ghcr.io/flowctl/source-file:v1, config: {path: orders.jsonl}}}
    bindings:
      - {resource: {stream: orders}, target: f/orders}
`

// TestTaskFailure runs a derivation that publishes an invalid document: the run stops with a
// message naming the task, the document and the rule, and nothing of the failed transaction is
// visible in the derived collection.
func TestTaskFailure(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	orders := "{\"id\":1,\"total\":10}\n{\"id\":2,\"total\":20}\n{\"id\":3,\"total\":300}\n"
	for name, content := range map[string]string{"flow.yaml": failingCatalog, "orders.jsonl": orders} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(dir, "data")
	_, err := Run(context.Background(), Options{Built: buildCatalog(t, src), DataDir: dataDir, ExitWhenIdle: true,
		OpenDerive: derive.OpenShard, Logger: slog.New(slog.DiscardHandler)})
	var failed *runtime.TaskError
	if !errors.As(err, &failed) || failed.Task != "f/checked" {
		t.Fatalf("got %v, want the failure of task f/checked", err)
	}
	for _, want := range []string{"f/checked", `"total":300`, "maximum"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if got := len(readCollection(t, dataDir, "f/orders")); got != 3 {
		t.Errorf("f/orders holds %d documents, want 3", got)
	}
	if got := readCollection(t, dataDir, "f/checked"); len(got) != 0 {
		t.Errorf("the failed transaction's documents are visible: %s", got)
	}
}
