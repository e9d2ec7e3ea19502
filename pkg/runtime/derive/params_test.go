package derive

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
)

func TestScanParams(t *testing.T) {
	tests := []struct {
		stmt string
		want []string
	}{
		{"SELECT $id, $sender;", []string{"$id", "$sender"}},
		{"SELECT $With$Nesting, $with_hyphen;", []string{"$With$Nesting", "$with_hyphen"}},
		{"SELECT $p::(hello,_world!) AS x;", []string{"$p::(hello,_world!)"}},
		{"SELECT '$no', \"$no\", `$no`, [$no] -- $no\n, $yes /* $no */;", []string{"$yes"}},
		{"SELECT 'it''s $no', $a||$b;", []string{"$a", "$b"}},
		{"SELECT $id + $id;", []string{"$id", "$id"}},
		{"SELECT 1 /* unterminated $no", nil},
	}
	for _, tc := range tests {
		if got := scanParams(tc.stmt); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("scanParams(%q) = %q, want %q", tc.stmt, got, tc.want)
		}
	}
}

func TestSQLValue(t *testing.T) {
	tests := []struct {
		in               any
		format, encoding string
		want             any
	}{
		{nil, "", "", nil},
		{true, "", "", int64(1)},
		{false, "", "", int64(0)},
		{jsonNumber("42"), "", "", int64(42)},
		{jsonNumber("18446744073709551615"), "", "", float64(18446744073709551615)},
		{jsonNumber("1.5"), "", "", 1.5},
		{"12", "integer", "", int64(12)},
		{"twelve", "integer", "", "twelve"},
		{"1e3", "number", "", 1000.0},
		{"aGk=", "", "base64", []byte("hi")},
		{"plain", "", "", "plain"},
		{map[string]any{"b": jsonNumber("1"), "a": []any{"x"}}, "", "", `{"a":["x"],"b":1}`},
	}
	for _, tc := range tests {
		if got := sqlValue(tc.in, tc.format, tc.encoding); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("sqlValue(%v, %q, %q) = %#v, want %#v", tc.in, tc.format, tc.encoding, got, tc.want)
		}
	}
}

// FuzzScanParams checks the scanner against SQLite itself: for every statement SQLite prepares,
// the distinct parameters scanned are exactly as many as SQLite numbers.
func FuzzScanParams(f *testing.F) {
	for _, s := range []string{
		"SELECT $id, $sender;", "SELECT $a$b, $p::(x y);", "SELECT '$x', $y -- $z\n;",
		"SELECT [$q], `$r`, \"$s\", $t /* $u */;", "SELECT $x::y::z(1), $x;",
	} {
		f.Add(s)
	}
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	f.Fuzz(func(t *testing.T, stmt string) {
		params := scanParams(stmt)
		distinct := map[string]bool{}
		for _, p := range params {
			if !strings.HasPrefix(p, "$") || !strings.Contains(stmt, p) {
				t.Fatalf("scanned %q from %q", p, stmt)
			}
			distinct[p] = true
		}
		if strings.ContainsAny(stmt, "?:@\x00") {
			return // other parameter forms, which lambdas do not use, are numbered too
		}
		// Lambdas reach the engine split into statements; the driver crashes on an empty one.
		stmts, err := catalog.SplitSQLBlock(stmt)
		if err != nil || len(stmts) != 1 {
			return
		}
		prepared, err := db.Prepare(stmts[0])
		if err != nil {
			return
		}
		defer prepared.Close()
		args := make([]any, len(distinct))
		if _, err := prepared.Query(args...); err != nil && strings.Contains(err.Error(), "arguments") {
			t.Fatalf("%q: scanned %d parameters %q: %v", stmt, len(distinct), params, err)
		}
	})
}
