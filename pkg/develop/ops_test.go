package develop

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// opsDoc is an ops log or stats document, as far as the tests look into it.
type opsDoc struct {
	Shard struct {
		Kind, Name, KeyBegin, RClockBegin string
	}
	TS          string
	Level       string
	Message     string
	Fields      map[string]any
	TxnCount    int64
	Capture     map[string]bindingStats
	Materialize map[string]bindingStats
	Derive      struct {
		Transforms map[string]struct {
			Source string
			Input  docsAndBytes
		}
		Out docsAndBytes
	}
}

type bindingStats struct{ Right, Left, Out docsAndBytes }

type docsAndBytes struct{ DocsTotal, BytesTotal int64 }

func readOps(t *testing.T, dataDir, collection string) []opsDoc {
	t.Helper()
	var out []opsDoc
	for _, raw := range readCollection(t, dataDir, collection) {
		var d opsDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if d.Shard.KeyBegin != "00000000" || d.Shard.RClockBegin != "00000000" {
			t.Errorf("shard %+v does not cover the full key and r-clock ranges", d.Shard)
		}
		if _, err := time.Parse(time.RFC3339Nano, d.TS); err != nil {
			t.Errorf("ts of %s: %v", raw, err)
		}
		out = append(out, d)
	}
	return out
}

// TestOpsCollections runs the pipeline and checks that its stats documents (one per
// transaction) add up to the final stats of every task, each in the journal of its task, keyed
// by collection or transform, and that task logs are there.
func TestOpsCollections(t *testing.T) {
	src := writePipeline(t, makeOrders(40), "")
	dataDir := filepath.Join(t.TempDir(), "data")
	final, err := Run(context.Background(), Options{Built: buildCatalog(t, src), DataDir: dataDir, ExitWhenIdle: true,
		OpenDerive: derive.OpenShard, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	type sums struct {
		txns, docsIn, bytesIn, docsOut, bytesOut int64
		kind                                     string
	}
	got := map[string]*sums{}
	materialized := map[string]int64{} // documents read by kt/to-sqlite, by source collection
	for _, d := range readOps(t, dataDir, runtime.OpsStatsCollection) {
		if d.TxnCount != 1 {
			t.Errorf("a stats document of %s counts %d transactions, want one each", d.Shard.Name, d.TxnCount)
		}
		s := got[d.Shard.Name]
		if s == nil {
			s = &sums{kind: d.Shard.Kind}
			got[d.Shard.Name] = s
		}
		s.txns += d.TxnCount
		add := func(in, out docsAndBytes) {
			s.docsIn += in.DocsTotal
			s.bytesIn += in.BytesTotal
			s.docsOut += out.DocsTotal
			s.bytesOut += out.BytesTotal
		}
		switch d.Shard.Kind {
		case "capture":
			if len(d.Capture) != 1 || d.Capture["kt/orders"] == (bindingStats{}) {
				t.Errorf("capture stats are not keyed by the only target kt/orders: %+v", d.Capture)
			}
			add(d.Capture["kt/orders"].Right, d.Capture["kt/orders"].Out)
		case "derivation":
			tr, ok := d.Derive.Transforms["fromOrders"]
			if !ok || tr.Source != "kt/orders" {
				t.Errorf("derivation stats are not keyed by the only transform: %+v", d.Derive)
			}
			add(tr.Input, d.Derive.Out)
		case "materialization":
			for collection, b := range d.Materialize {
				if collection != "kt/orders" && collection != "kt/totals" {
					t.Errorf("materialization stats keyed by %q, not a source collection", collection)
				}
				add(b.Right, b.Out)
				materialized[collection] += b.Right.DocsTotal
			}
		default:
			t.Errorf("unknown shard kind %q", d.Shard.Kind)
		}
	}
	kinds := map[string]string{runtime.TaskCapture: "capture", runtime.TaskDerivation: "derivation", runtime.TaskMaterialization: "materialization"}
	for _, s := range final {
		want := sums{s.Commits, s.DocsIn, s.BytesIn, s.DocsOut, s.BytesOut, kinds[s.Type]}
		if g := got[s.Task]; g == nil || *g != want {
			t.Errorf("stats documents of %s add up to %+v, want %+v", s.Task, g, want)
		}
	}
	if got["kt/from-file"] == nil || got["kt/from-file"].docsIn != 40 {
		t.Errorf("capture stats: %+v, want 40 documents in", got["kt/from-file"])
	}
	if got["kt/totals"] == nil || materialized["kt/orders"] != 40 || materialized["kt/totals"] != got["kt/totals"].docsOut {
		t.Errorf("materialized %v by collection, want 40 of kt/orders and the %+v published to kt/totals", materialized, got["kt/totals"])
	}

	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dataDir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	journals, err := l.ListJournals(context.Background(), runtime.OpsLogsCollection)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range journals {
		names = append(names, j.Name)
	}
	if want := "ops/logs/kind=capture/name=kt%2Ffrom-file/pivot=00"; !strings.Contains(strings.Join(names, " "), want) {
		t.Errorf("log journals %v lack %s", names, want)
	}
	finished := false
	for _, d := range readOps(t, dataDir, runtime.OpsLogsCollection) {
		if d.Shard.Name == "kt/from-file" && d.Shard.Kind == "capture" && d.Level == "info" && d.Message == "capture finished" {
			finished = true
		}
	}
	if !finished {
		t.Error(`the capture's logs lack "capture finished"`)
	}
}

// TestOpsFailureLogged checks that a failing task's error is in its logs.
func TestOpsFailureLogged(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	orders := "{\"id\":1,\"total\":10}\n{\"id\":3,\"total\":300}\n"
	for name, content := range map[string]string{"flow.yaml": failingCatalog, "orders.jsonl": orders} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(dir, "data")
	if _, err := Run(context.Background(), Options{Built: buildCatalog(t, src), DataDir: dataDir, ExitWhenIdle: true,
		OpenDerive: derive.OpenShard, Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Fatal("the run did not fail")
	}
	for _, d := range readOps(t, dataDir, runtime.OpsLogsCollection) {
		msg, _ := d.Fields["error"].(string)
		if d.Shard.Name == "f/checked" && d.Shard.Kind == "derivation" && d.Level == "error" && strings.Contains(msg, "maximum") {
			return
		}
	}
	t.Error("the logs of f/checked lack its error")
}

// TestOpsReservedNames refuses a catalog with a collection named as an ops collection.
func TestOpsReservedNames(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	cat := "collections:\n  ops/logs:\n    schema: {type: object, properties: {id: {type: integer}}, required: [id]}\n    key: [/id]\n"
	if err := os.WriteFile(src, []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Built: buildCatalog(t, src), DataDir: filepath.Join(dir, "data"), ExitWhenIdle: true,
		Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "collection ops/logs: the names ops/logs and ops/stats are reserved") {
		t.Errorf("got %v, want a refusal of the reserved name", err)
	}
}
