package materialize

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

func TestRowBatchQuery(t *testing.T) {
	cases := []struct {
		d      *dialect
		rows   int
		suffix string
		want   string
	}{
		{&sqliteDialect, 1, "", "INSERT INTO t (a, b) VALUES (?, ?)"},
		{&sqliteDialect, 3, " ON CONFLICT (a) DO NOTHING", "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT (a) DO NOTHING"},
		{&postgresDialect, 2, "", "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"},
	}
	for _, c := range cases {
		b := &rowBatch{head: "INSERT INTO t (a, b)", suffix: c.suffix, width: 2, placeholder: c.d.placeholder}
		if got := b.query(c.rows); got != c.want {
			t.Errorf("%s, %d rows: %s, want %s", c.d.name, c.rows, got, c.want)
		}
	}
}

// TestSQLiteStoresAcrossBatches stores more rows than one statement holds, new and existing,
// and checks every row, so that full batches, remainders and upserts all count.
func TestSQLiteStoresAcrossBatches(t *testing.T) {
	ep, spec, path := sqliteEndpoint(t, false)
	s, _ := openSession(t, ep, spec)
	ids := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("k%05d", i))
		}
		return out
	}
	n := 2*batchMaxRows + 3
	if loaded, err := s.txn(1, ids(0, n), 1, false); err != nil || len(loaded) != 0 {
		t.Fatalf("first transaction: loaded %d documents, %v", len(loaded), err)
	}
	s.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
	// Half of the rows again, and as many new ones.
	loaded, err := s.txn(2, ids(n/2, n+n/2), 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != n-n/2 {
		t.Fatalf("loaded %d documents, want the %d stored before", len(loaded), n-n/2)
	}
	_ = s.s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := queryStrings(t, db, `SELECT n || ':' || count(*) || ':' || min(id) || ':' || max(id) FROM things GROUP BY n ORDER BY n`)
	want := []string{
		fmt.Sprintf("1:%d:k00000:k%05d", n/2, n/2-1),
		fmt.Sprintf("2:%d:k%05d:k%05d", n, n/2, n+n/2-1),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rows by n: %v, want %v", got, want)
	}
}
