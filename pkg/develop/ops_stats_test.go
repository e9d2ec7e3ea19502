package develop

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// twoWayCatalog captures two files into two collections with one capture, and derives one
// collection from both with a transform each.
const twoWayCatalog = `
collections:
  m/a: &coll
    schema: {type: object, properties: {id: {type: integer}}, required: [id]}
    key: [/id]
  m/b: *coll
  m/ab:
    schema: {type: object, properties: {id: {type: integer}, src: {type: string}}, required: [id, src]}
    key: [/id]
    derive:
      using: {sqlite: {}}
      transforms:
        - {name: fromA, source: m/a, shuffle: any, lambda: "SELECT $id AS id, 'a' AS src;"}
        - {name: fromB, source: m/b, shuffle: any, lambda: "SELECT $id AS id, 'b' AS src;"}
captures:
  m/cap:
    endpoint:
      connector:
        image: ghcr.io/flowctl/source-file:v1
        config: {path: a.jsonl}
    bindings:
      - {resource: {stream: a, path: a.jsonl}, target: m/a}
      - {resource: {stream: b, path: b.jsonl}, target: m/b}
`

// TestOpsStatsByBinding checks that a capture's stats are keyed by each binding's collection
// and a derivation's by each transform, and that they add up to the tasks' totals.
func TestOpsStatsByBinding(t *testing.T) {
	dir := t.TempDir()
	lines := func(from, n int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			fmt.Fprintf(&b, "{\"id\":%d}\n", i)
		}
		return b.String()
	}
	for name, content := range map[string]string{"flow.yaml": twoWayCatalog, "a.jsonl": lines(1, 5), "b.jsonl": lines(101, 3)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(dir, "data")
	final, err := Run(context.Background(), Options{Built: buildCatalog(t, filepath.Join(dir, "flow.yaml")), DataDir: dataDir,
		ExitWhenIdle: true, OpenDerive: derive.OpenShard, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	type sums struct{ txns, docsIn, bytesIn, docsOut, bytesOut int64 }
	totals := map[string]*sums{}
	byKey := map[string]int64{} // documents in, by task and collection or transform
	for _, d := range readOps(t, dataDir, runtime.OpsStatsCollection) {
		s := totals[d.Shard.Name]
		if s == nil {
			s = &sums{}
			totals[d.Shard.Name] = s
		}
		s.txns += d.TxnCount
		for collection, b := range d.Capture {
			byKey["m/cap "+collection] += b.Right.DocsTotal
			s.docsIn, s.bytesIn = s.docsIn+b.Right.DocsTotal, s.bytesIn+b.Right.BytesTotal
			s.docsOut, s.bytesOut = s.docsOut+b.Out.DocsTotal, s.bytesOut+b.Out.BytesTotal
			if b.Out.DocsTotal > 0 && b.Out.BytesTotal == 0 {
				t.Errorf("capture stats of %s count documents out without their bytes: %+v", collection, b)
			}
		}
		for name, tr := range d.Derive.Transforms {
			byKey["m/ab "+name+" from "+tr.Source] += tr.Input.DocsTotal
			s.docsIn, s.bytesIn = s.docsIn+tr.Input.DocsTotal, s.bytesIn+tr.Input.BytesTotal
		}
		s.docsOut, s.bytesOut = s.docsOut+d.Derive.Out.DocsTotal, s.bytesOut+d.Derive.Out.BytesTotal
	}
	want := map[string]int64{"m/cap m/a": 5, "m/cap m/b": 3, "m/ab fromA from m/a": 5, "m/ab fromB from m/b": 3}
	if fmt.Sprint(byKey) != fmt.Sprint(want) {
		t.Errorf("documents in by binding and transform: %v, want %v", byKey, want)
	}
	for _, f := range final {
		g := totals[f.Task]
		if w := (sums{f.Commits, f.DocsIn, f.BytesIn, f.DocsOut, f.BytesOut}); g == nil || *g != w || w.docsOut != 8 {
			t.Errorf("stats documents of %s add up to %+v, want the totals %+v with 8 documents out", f.Task, g, w)
		}
	}
}
