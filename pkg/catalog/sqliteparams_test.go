package catalog

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
)

func TestSQLParams(t *testing.T) {
	tests := []struct {
		stmt string
		want []string
	}{
		{"SELECT $id, $sender;", []string{"$id", "$sender"}},
		{"SELECT 1;", nil},
		{"SELECT $With$Nesting, $with_hyphen;", []string{"$With$Nesting", "$with_hyphen"}},
		{"SELECT $p::(hello,_world!) AS x;", []string{"$p::(hello,_world!)"}},
		{"SELECT $a::b::c, $a$b::c;", []string{"$a::b::c", "$a$b::c"}},
		{"SELECT '$no', \"$no\", `$no`, [$no] -- $no\n, $yes /* $no */;", []string{"$yes"}},
		{"SELECT 'it''s $no', \"a\"\"$no\", $a||$b;", []string{"$a", "$b"}},
		{"SELECT $id + $id;", []string{"$id", "$id"}},
		{"SELECT $a$b, '$notparam', \"$nor\" -- $nothis\n;", []string{"$a$b"}},
		// `$` continues a name: a$b is a column, not a and a parameter $b.
		{"SELECT a$b, $c FROM t;", []string{"$c"}},
		{"SELECT''A$0;", nil},
		// A `(...)` suffix ends the parameter; what follows is a new token.
		{"SELECT $p::(x)$q;", []string{"$p::(x)", "$q"}},
		{"SELECT $ok(a b);", []string{"$ok(a"}},
		{"SELECT $;", nil},
		{"SELECT 1 /* unterminated $no", nil},
		{"SELECT 'unterminated $no", nil},
		{"SELECT $über;", []string{"$über"}},
	}
	for _, tc := range tests {
		if got := SQLParams(tc.stmt); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SQLParams(%q) = %q, want %q", tc.stmt, got, tc.want)
		}
	}
}

// FuzzSQLParams checks the scanner against SQLite itself: for every statement SQLite prepares,
// the distinct parameters scanned are exactly as many as SQLite numbers.
func FuzzSQLParams(f *testing.F) {
	// The seed corpus is testdata/fuzz/FuzzSQLParams.
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	f.Fuzz(func(t *testing.T, stmt string) {
		params := SQLParams(stmt)
		distinct := map[string]bool{}
		for _, p := range params {
			if !strings.HasPrefix(p, "$") || !strings.Contains(stmt, p) {
				t.Fatalf("scanned %q from %q", p, stmt)
			}
			distinct[p] = true
		}
		rest := stmt
		for p := range distinct {
			rest = strings.ReplaceAll(rest, p, "")
		}
		if strings.ContainsAny(rest, "?:@#\x00") {
			return // other parameter forms, which lambdas do not use, are numbered too
		}
		// Lambdas reach SQLite split into statements; the driver crashes on an empty one.
		stmts, err := SplitSQLBlock(stmt)
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
