package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/flowctl/flowctl/pkg/controlplane"
)

// pipelineCatalog is a pipeline without `local:` connectors: source-file captures orders from a file,
// a SQLite derivation totals them per customer, and materialize-sqlite writes tables. Paths are the
// server's, absolute. The totals count each order once, so a duplicate shows as a wrong count.
const pipelineCatalog = `
collections:
  acmeCo/orders:
    schema:
      type: object
      properties: {id: {type: integer}, customer: {type: string}, amount: {type: integer}}
      required: [id, customer, amount]
    key: [/id]
  acmeCo/totals:
    schema:
      type: object
      properties: {customer: {type: string}, orders: {type: integer}, spent: {type: integer}}
      required: [customer, orders, spent]
    key: [/customer]
    derive:
      using:
        sqlite:
          migrations:
            - CREATE TABLE totals (customer TEXT PRIMARY KEY, orders INTEGER NOT NULL, spent INTEGER NOT NULL);
      transforms:
        - name: fromOrders
          source: acmeCo/orders
          shuffle: {key: [/customer]}
          lambda: >
            INSERT INTO totals (customer, orders, spent) VALUES ($customer, 1, $amount)
            ON CONFLICT (customer) DO UPDATE SET orders = orders + 1, spent = spent + excluded.spent
            RETURNING customer, orders, spent;
captures:
  acmeCo/from-file:
    interval: 1s
    endpoint:
      connector:
        image: ghcr.io/flowctl/source-file:v1
        config: {path: %q}
    bindings:
      - resource: {stream: orders}
        target: acmeCo/orders
materializations:
  acmeCo/to-sqlite:
    endpoint:
      connector:
        image: ghcr.io/estuary/materialize-sqlite:dev
        config: {path: %q}
    bindings:
      - {source: acmeCo/orders, resource: {table: orders}}
%s`

const totalsBinding = "      - {source: acmeCo/totals, resource: {table: totals}}\n"

// pipeline is one test's files: the captured input, the destination database and catalog versions.
type pipeline struct {
	t         *testing.T
	input, db string
	v1, v2    string // without and with the totals binding
	nextID    int
}

func newPipeline(t *testing.T) *pipeline {
	dir := t.TempDir()
	p := &pipeline{t: t, input: filepath.Join(dir, "orders.jsonl"), db: filepath.Join(dir, "out.db"), nextID: 1,
		v1: filepath.Join(dir, "v1.flow.yaml"), v2: filepath.Join(dir, "v2.flow.yaml")}
	for path, extra := range map[string]string{p.v1: "", p.v2: totalsBinding} {
		if err := os.WriteFile(path, fmt.Appendf(nil, pipelineCatalog, p.input, p.db, extra), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.appendOrders(0) // the file exists before the capture first runs
	return p
}

// appendOrders appends n orders over customers c0..c2, each with amount = id, as whole lines.
func (p *pipeline) appendOrders(n int) {
	f, err := os.OpenFile(p.input, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for range n {
		fmt.Fprintf(&b, `{"id": %d, "customer": "c%d", "amount": %d}`+"\n", p.nextID, p.nextID%3, p.nextID)
		p.nextID++
	}
	if _, err := f.WriteString(b.String()); err != nil {
		p.t.Fatal(err)
	}
}

// wantTotals is what the totals table must hold after every order was counted exactly once.
func (p *pipeline) wantTotals() string {
	orders, spent := map[string]int{}, map[string]int{}
	for id := 1; id < p.nextID; id++ {
		c := fmt.Sprintf("c%d", id%3)
		orders[c]++
		spent[c] += id
	}
	var rows []string
	for c := range orders {
		rows = append(rows, fmt.Sprintf("%s|%d|%d", c, orders[c], spent[c]))
	}
	sort.Strings(rows)
	return strings.Join(rows, ",")
}

// query returns the rows of a query on the destination database joined as "a|b,c|d", or the error
// text when the table is not there yet.
func (p *pipeline) query(q string) string {
	db, err := sql.Open("sqlite3", "file:"+p.db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err.Error()
		}
		var fields []string
		for _, v := range vals {
			fields = append(fields, fmt.Sprint(v))
		}
		out = append(out, strings.Join(fields, "|"))
	}
	return strings.Join(out, ",")
}

// eventually polls cond until it holds, failing the test after a minute with what it last saw.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not true after a minute; last saw %s", what, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *pipeline) waitRows(what, q, want string) {
	p.t.Helper()
	eventually(p.t, what, func() (bool, string) { got := p.query(q); return got == want, got })
}

// tasks calls GET /api/v1/tasks as the user.
func (u *user) tasks(t *testing.T) controlplane.DataPlaneStatus {
	t.Helper()
	req, _ := http.NewRequest("GET", u.e.url+"/api/v1/tasks", nil)
	req.Header.Set("Authorization", "Bearer "+u.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st controlplane.DataPlaneStatus
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil {
		t.Fatalf("GET /api/v1/tasks as %s: %s", u.name, resp.Status)
	}
	return st
}

func taskNames(st controlplane.DataPlaneStatus) string {
	var names []string
	for _, task := range st.Tasks {
		names = append(names, task.Task)
	}
	return strings.Join(names, ",")
}

// readIDs reads acmeCo/orders through the server and returns the ids in the order they came.
func (u *user) readIDs(t *testing.T) []int {
	t.Helper()
	r := u.mustRun("collections", "read", "--server", "--collection", "acmeCo/orders")
	var ids []int
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var doc struct{ ID int }
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("collections read printed %q: %v", line, err)
		}
		ids = append(ids, doc.ID)
	}
	return ids
}

// execFlowd runs the flowd binary, as an administrator would.
func execFlowd(args ...string) ([]byte, error) {
	return exec.Command(filepath.Join(binDir, "flowd"), args...).CombinedOutput()
}

func TestEndToEndDataPlaneRunsPublications(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		bob := e.user("bob", "bobCo/=admin")
		p := newPipeline(t)
		p.appendOrders(3)
		alice.mustRun("catalog", "publish", "--source", p.v1, "--auto-approve")
		p.waitRows("the published pipeline materializes the captured orders", "SELECT id FROM orders ORDER BY id", "1,2,3")

		if got := taskNames(alice.tasks(t)); got != "acmeCo/from-file,acmeCo/to-sqlite,acmeCo/totals" {
			t.Errorf("alice sees tasks %q", got)
		}
		if st := bob.tasks(t); len(st.Tasks) != 0 {
			t.Errorf("bob sees alice's tasks: %+v", st.Tasks)
		}

		// A new binding backfills the derivation's documents; the existing binding is untouched.
		alice.expect(0, []string{"catalog", "publish", "--source", p.v2, "--auto-approve"}, "changed")
		p.waitRows("the added binding materializes the totals", "SELECT customer, orders, spent FROM totals ORDER BY customer", p.wantTotals())
		p.appendOrders(3)
		p.waitRows("the capture runs again and takes new orders", "SELECT count(*) FROM orders", "6")
		p.waitRows("the totals count the new orders", "SELECT customer, orders, spent FROM totals ORDER BY customer", p.wantTotals())

		// A restart resumes every task where it committed: nothing is captured or counted twice.
		e.restart()
		p.appendOrders(2)
		p.waitRows("after a restart, new orders arrive", "SELECT count(*) FROM orders", "8")
		p.waitRows("after a restart, every order is counted once", "SELECT customer, orders, spent FROM totals ORDER BY customer", p.wantTotals())
		if ids := alice.readIDs(t); fmt.Sprint(ids) != "[1 2 3 4 5 6 7 8]" {
			t.Errorf("after a restart the collection holds %v, want ids 1..8 once each", ids)
		}

		// Deleting the materialization stops it; the capture goes on.
		alice.mustRun("catalog", "delete", "--name", "acmeCo/to-sqlite", "--dangerous-auto-approve")
		eventually(t, "the deleted materialization stops", func() (bool, string) {
			st := alice.tasks(t)
			return st.PendingPubID == "" && taskNames(st) == "acmeCo/from-file,acmeCo/totals", taskNames(st)
		})
		p.appendOrders(1)
		eventually(t, "the capture still runs", func() (bool, string) { ids := alice.readIDs(t); return len(ids) == 9, fmt.Sprint(ids) })
		time.Sleep(time.Second) // a running materialization would have written order 9 by now
		if got := p.query("SELECT count(*) FROM orders"); got != "8" {
			t.Errorf("the deleted materialization still writes: %s rows", got)
		}
	})
}

func TestEndToEndCollectionsReadIsConfinedToGrants(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		bob := e.user("bob", "bobCo/=admin")
		p := newPipeline(t)
		p.appendOrders(2)
		alice.mustRun("catalog", "publish", "--source", p.v1, "--auto-approve")
		eventually(t, "alice reads her published collection", func() (bool, string) {
			ids := alice.readIDs(t)
			return len(ids) == 2, fmt.Sprint(ids)
		})

		// bob learns nothing: not the documents, not whether a name exists.
		for _, name := range []string{"acmeCo/orders", "acmeCo/no-such-collection"} {
			r := bob.expect(2, []string{"collections", "read", "--server", "--collection", name}, "no read grant")
			if r.stdout != "" || strings.Contains(r.stderr, "customer") {
				t.Errorf("bob's refused read of %s leaks:\n%s%s", name, r.stdout, r.stderr)
			}
		}
		alice.expect(2, []string{"collections", "read", "--server", "--collection", "acmeCo/no-such-collection"}, "is not a live collection")
		alice.expect(2, []string{"collections", "read", "--server", "--collection", "acmeCo/orders", "--data-dir", t.TempDir()}, "cannot be combined with --server")
		alice.expect(2, []string{"collections", "read", "--server", "--collection", "acmeCo/orders", "--partitions", "{"}, "partitions")

		// A read grant opens the collection to bob.
		if out, err := execFlowd("admin", "grant", "bob", "--database", e.database, "--grant", "acmeCo/=read"); err != nil {
			t.Fatalf("flowd admin grant: %v\n%s", err, out)
		}
		if ids := bob.readIDs(t); len(ids) != 2 {
			t.Errorf("with a read grant bob reads %v", ids)
		}
	})
}
