package catalog

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitSQLBlock(t *testing.T) {
	cases := []struct {
		name string
		sql  string
		want []string
		err  string
	}{
		{"one", "SELECT 1;", []string{"SELECT 1;"}, ""},
		{"two with whitespace", "  SELECT 1;\n\n SELECT 2 ;  \n", []string{"SELECT 1;", "SELECT 2 ;"}, ""},
		{"semicolon in string", "SELECT 'a;b';", []string{"SELECT 'a;b';"}, ""},
		{"escaped quote", "SELECT 'it''s;';", []string{"SELECT 'it''s;';"}, ""},
		{"semicolon in identifiers", `SELECT "a;" FROM [b;] JOIN ` + "`c;`;", []string{`SELECT "a;" FROM [b;] JOIN ` + "`c;`;"}, ""},
		{"comments", "-- a; comment\nSELECT /* ; */ 1;", []string{"-- a; comment\nSELECT /* ; */ 1;"}, ""},
		{"comment-only statements dropped", "SELECT 1; -- trailing note\n", []string{"SELECT 1;"}, ""},
		{"empty statements dropped", ";;SELECT 1;;", []string{"SELECT 1;"}, ""},
		{"empty block", "  \n", nil, ""},
		{"trigger body", "CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET n = n + 1; DELETE FROM z; END; SELECT 1;",
			[]string{"CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET n = n + 1; DELETE FROM z; END;", "SELECT 1;"}, ""},
		{"temp trigger", "create temp trigger t before delete on x begin select 1; end;",
			[]string{"create temp trigger t before delete on x begin select 1; end;"}, ""},
		{"end as a column is not a trigger end", "SELECT end FROM t; SELECT 2;", []string{"SELECT end FROM t;", "SELECT 2;"}, ""},
		{"parameters", "SELECT $a$b, $p::(x y);", []string{"SELECT $a$b, $p::(x y);"}, ""},
		{"trailing content", "SELECT 1; SELECT 2", nil, "ambiguous trailing content"},
		{"unterminated string", "SELECT 'abc;", nil, "unterminated ' quote"},
		{"unterminated comment", "SELECT 1; /* x", nil, "unterminated /* comment"},
		{"NUL", "SELECT 1;\x00", nil, "NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := SplitSQLBlock(c.sql)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("SplitSQLBlock(%q) error = %v, want one containing %q", c.sql, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitSQLBlock(%q): %v", c.sql, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("SplitSQLBlock(%q) = %q, want %q", c.sql, got, c.want)
			}
		})
	}
}

func FuzzSplitSQLBlock(f *testing.F) {
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := SplitSQLBlock(sql)
		if err != nil {
			return
		}
		// Statements are pieces of the block, in order, each ending its own ';'.
		rest := sql
		for _, s := range stmts {
			i := strings.Index(rest, s)
			if i < 0 || !strings.HasSuffix(s, ";") {
				t.Fatalf("statement %q is not the next piece of %q", s, sql)
			}
			rest = rest[i+len(s):]
		}
	})
}
