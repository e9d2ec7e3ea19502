package develop

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
	_ "github.com/mattn/go-sqlite3"
)

// pipelineCatalog is a finite pipeline of every task kind: a file capture into a partitioned
// collection, a SQLite derivation keeping running totals per customer, and a SQLite
// materialization of both (plus PostgreSQL when a %s endpoint is given).
const pipelineCatalog = `
collections:
  kt/orders:
    schema:
      type: object
      properties:
        id: {type: integer}
        customer: {type: string}
        region: {type: string}
        total: {type: integer}
      required: [id, customer, region, total]
    key: [/id]
    projections:
      region: {location: /region, partition: true}
  kt/totals:
    schema:
      type: object
      properties:
        customer: {type: string}
        orders: {type: integer}
        spent: {type: integer}
      required: [customer, orders, spent]
    key: [/customer]
    derive:
      using:
        sqlite:
          migrations:
            - CREATE TABLE totals (customer TEXT PRIMARY KEY, orders INTEGER NOT NULL, spent INTEGER NOT NULL);
      transforms:
        - name: fromOrders
          source: kt/orders
          shuffle: {key: [/customer]}
          lambda: >
            INSERT INTO totals (customer, orders, spent) VALUES ($customer, 1, $total)
            ON CONFLICT (customer) DO UPDATE SET orders = orders + 1, spent = spent + excluded.spent
            RETURNING customer, orders, spent;
captures:
  kt/from-file:
    endpoint:
      connector:
        image: ghcr.io/flowctl/source-file:v1
        config: {path: orders.jsonl}
    bindings:
      - resource: {stream: orders}
        target: kt/orders
materializations:
  kt/to-sqlite:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-sqlite:dev
        config: {path: out.db}
    bindings:
      - {source: kt/orders, resource: {table: orders}}
      - {source: kt/totals, resource: {table: totals}}
%s`

// postgresMaterialization is appended to pipelineCatalog to also materialize into PostgreSQL.
const postgresMaterialization = `
  kt/to-postgres:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-postgres:dev
        config: {address: %q, user: %q, password: %q, database: %q}
    bindings:
      - {source: kt/orders, resource: {table: orders}}
      - {source: kt/totals, resource: {table: totals}}
`

// order is one captured document of the pipeline.
type order struct {
	ID       int64  `json:"id"`
	Customer string `json:"customer"`
	Region   string `json:"region"`
	Total    int64  `json:"total"`
}

// total is one document of the derivation (and one destination row of its table).
type total struct {
	Customer string `json:"customer"`
	Orders   int64  `json:"orders"`
	Spent    int64  `json:"spent"`
}

// makeOrders returns n deterministic orders over a few customers and regions.
func makeOrders(n int) []order {
	regions := []string{"eu", "us", "apac"}
	out := make([]order, n)
	for i := range out {
		out[i] = order{ID: int64(i + 1), Customer: fmt.Sprintf("c%02d", i%23), Region: regions[i%len(regions)], Total: int64(i % 97)}
	}
	return out
}

// expectedTotals folds orders the way the derivation must, once each.
func expectedTotals(orders []order) []total {
	by := map[string]*total{}
	for _, o := range orders {
		t := by[o.Customer]
		if t == nil {
			t = &total{Customer: o.Customer}
			by[o.Customer] = t
		}
		t.Orders++
		t.Spent += o.Total
	}
	out := make([]total, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Customer < out[b].Customer })
	return out
}

// writePipeline writes the catalog and its input under a new directory and returns the catalog
// path. pgExtra is appended to the materializations ("" for none).
func writePipeline(t testing.TB, orders []order, pgExtra string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, o := range orders {
		line, _ := json.Marshal(o)
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "orders.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(fmt.Sprintf(pipelineCatalog, pgExtra)), 0o644); err != nil {
		t.Fatal(err)
	}
	return src
}

func buildCatalog(t testing.TB, src string) *catalog.Built {
	t.Helper()
	built, err := LoadCatalog(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return built
}

// readCollection reads every committed document of a collection from a data directory, failing
// the test if any UUID appears twice (a document that landed twice).
func readCollection(t testing.TB, dataDir, collection string) []json.RawMessage {
	t.Helper()
	ctx := context.Background()
	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dataDir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	journals, err := l.ListJournals(ctx, collection)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[journal.UUID]bool{}
	var out []json.RawMessage
	for _, j := range journals {
		r, err := journal.ReadCommitted(ctx, l, j.Name, journal.Checkpoint{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for {
			d, err := r.Next(ctx)
			if err != nil {
				break
			}
			if d.IsAck() {
				continue
			}
			if seen[d.UUID] {
				t.Errorf("%s: document %s appears twice", j.Name, d.Raw)
			}
			seen[d.UUID] = true
			out = append(out, append(json.RawMessage(nil), d.Raw...))
		}
		r.Close()
	}
	return out
}

// committedOrders decodes a collection's documents as orders, sorted by ID.
func committedOrders(t testing.TB, dataDir string) []order {
	var out []order
	for _, raw := range readCollection(t, dataDir, "kt/orders") {
		var o order
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// committedTotals checks that the derivation published each running total exactly once (no
// (customer, orders) pair twice) and returns the last total of each customer.
func committedTotals(t testing.TB, dataDir string) []total {
	last := map[string]total{}
	seen := map[total]bool{}
	for _, raw := range readCollection(t, dataDir, "kt/totals") {
		var d total
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		key := total{Customer: d.Customer, Orders: d.Orders}
		if seen[key] {
			t.Errorf("kt/totals: running total %d of %s was published twice", d.Orders, d.Customer)
		}
		seen[key] = true
		if d.Orders > last[d.Customer].Orders {
			last[d.Customer] = d
		}
	}
	out := make([]total, 0, len(last))
	for _, d := range last {
		out = append(out, d)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Customer < out[b].Customer })
	return out
}

// destinationRows reads the materialized tables of a database.
func destinationRows(t testing.TB, driver, dsn string) ([]order, []total) {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var orders []order
	rows, err := db.Query(`SELECT id, customer, region, total FROM orders ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o order
		if err := rows.Scan(&o.ID, &o.Customer, &o.Region, &o.Total); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	rows.Close()
	var totals []total
	rows, err = db.Query(`SELECT customer, orders, spent FROM totals ORDER BY customer`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d total
		if err := rows.Scan(&d.Customer, &d.Orders, &d.Spent); err != nil {
			t.Fatal(err)
		}
		totals = append(totals, d)
	}
	rows.Close()
	return orders, totals
}
