package develop

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// benchOrders is the size of one pipeline run in BenchmarkPipeline.
const benchOrders = 20_000

// BenchmarkPipeline measures documents per second through the whole pipeline (file capture ->
// collection -> SQLite derivation -> SQLite materialization of both collections, each run from a
// fresh data directory), beside the floor of only parsing the same file and writing the documents
// durably, measured in the same run. Run it with -cpu 1 for one core.
func BenchmarkPipeline(b *testing.B) {
	orders := makeOrders(benchOrders)
	b.Run("end-to-end", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			src := writePipeline(b, orders, "")
			built := buildCatalog(b, src)
			dataDir := filepath.Join(filepath.Dir(src), "data")
			b.StartTimer()
			stats, err := Run(context.Background(), Options{Built: built, DataDir: dataDir, ExitWhenIdle: true, OpenDerive: derive.OpenShard,
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range stats {
				if s.Task == "kt/from-file" && s.DocsOut != benchOrders {
					b.Fatalf("captured %d documents, want %d", s.DocsOut, benchOrders)
				}
			}
		}
		b.ReportMetric(float64(benchOrders*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
	b.Run("parse-and-write", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			src := writePipeline(b, orders, "")
			b.StartTimer()
			if n := parseAndWrite(b, filepath.Join(filepath.Dir(src), "orders.jsonl"), filepath.Join(filepath.Dir(src), "copy.jsonl")); n != benchOrders {
				b.Fatalf("copied %d documents", n)
			}
		}
		b.ReportMetric(float64(benchOrders*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
}

// parseAndWrite is the least any pipeline does with a file of documents: decode each line and
// write it out again, durably.
func parseAndWrite(b *testing.B, in, out string) int {
	f, err := os.Open(in)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	o, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(o)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var d map[string]any
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			b.Fatal(err)
		}
		line, _ := json.Marshal(d)
		w.Write(line)
		w.WriteByte('\n')
		n++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := o.Sync(); err != nil {
		b.Fatal(err)
	}
	o.Close()
	return n
}

// BenchmarkIngestToRow measures, at low load (one document at a time), the latency from POST
// /ingest to the row being readable in the SQLite destination, and reports its p50 and p99.
func BenchmarkIngestToRow(b *testing.B) {
	base, dataDir := startDevelop(b, apiCatalog, DefaultMaxIngestBytes)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(filepath.Dir(dataDir), "out.db")+"?mode=ro&_busy_timeout=1000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var latencies []time.Duration
	id := 0
	for b.Loop() {
		id++
		start := time.Now()
		resp, err := http.Post(base+"/ingest/api/events", "application/json", strings.NewReader(fmt.Sprintf(`{"id":%d,"kind":"view"}`, id)))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("ingest: %s", resp.Status)
		}
		for {
			var n int
			// The table appears with the materialization's first commit.
			if err := db.QueryRow(`SELECT count(*) FROM events WHERE id = ?`, id).Scan(&n); err == nil && n == 1 {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("document %d never reached the destination", id)
			}
			time.Sleep(200 * time.Microsecond)
		}
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	at := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
