package catalog

import (
	"context"
	"database/sql"
	"strings"

	// The SQLite driver: lambdas and migrations are prepared against a real in-memory database.
	_ "github.com/mattn/go-sqlite3"
)

// checkSQLite applies the migrations to a fresh in-memory database and prepares every statement
// of every enabled transform's lambda, resolving each `$parameter` against the projections of the
// transform's source collection.
func (b *builder) checkSQLite(bc *BuiltCollection, bd *BuiltDerivation) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		b.errorf(bd.Def.Scope, "derive.sqlite-open", "", "cannot open an in-memory SQLite database: %v", err)
		return
	}
	defer db.Close()
	// One connection: every connection to ":memory:" is a separate, empty database.
	db.SetMaxOpenConns(1)
	ctx := b.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	migrated := true
	for _, m := range bd.Def.Using.SQLite.Migrations {
		text, ok := m.Text()
		if !ok {
			if m.Value != nil || m.URL == "" {
				b.errorf(m.Scope, "derive.sqlite-migration", "write the migration as SQL text or the name of a .sql file",
					"a SQLite migration must be SQL text, not %s", describeValue(m.Value))
			}
			migrated = false
			continue
		}
		bd.Migrations = append(bd.Migrations, text)
		stmts, err := SplitSQLBlock(text)
		if err != nil {
			b.errorf(m.Scope, "derive.sqlite-migration", "", "migration %s", err)
			migrated = false
			continue
		}
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				b.errorf(m.Scope, "derive.sqlite-migration", "", "migration statement %q failed: %v", abbreviate(s), err)
				migrated = false
			}
		}
	}
	for _, t := range bd.Transforms {
		if t.Disable {
			continue
		}
		b.checkLambda(ctx, db, bc, t, migrated)
	}
}

func (b *builder) checkLambda(ctx context.Context, db *sql.DB, bc *BuiltCollection, t *BuiltTransform, migrated bool) {
	at := t.Def.Scope
	if t.Def.Lambda == nil {
		b.errorf(at, "derive.sqlite-lambda", "add `lambda:` with SQL (SELECT $id, ...;) or the name of a .sql file",
			"transform %s of SQLite derivation %s has no lambda", t.Name, bc.Name)
		return
	}
	at = t.Def.Lambda.Scope
	if _, ok := t.Def.Lambda.Text(); !ok {
		if t.Def.Lambda.URL == "" || t.Def.Lambda.Value != nil {
			b.errorf(at, "derive.sqlite-lambda", "", "a SQLite lambda must be SQL text, not %s", describeValue(t.Def.Lambda.Value))
		}
		return
	}
	stmts, err := SplitSQLBlock(t.Lambda)
	if err != nil {
		b.errorf(at, "derive.sqlite-lambda", "end every statement with ';'", "transform %s lambda: %v", t.Name, err)
		return
	}
	t.Statements, t.ReadOnly = stmts, true
	var fields []string
	if t.Source != nil {
		fields = b.projectionFields(t.Source)
	}
	for _, s := range stmts {
		if !isReadOnlySQL(s) {
			t.ReadOnly = false
		}
		if t.Source != nil {
			for _, p := range SQLParams(s) {
				if _, err := ParamField(p, fields); err != nil {
					b.errorf(at, "derive.sqlite-param", "parameters name projections of the source collection "+t.Source.Name,
						"transform %s: %v", t.Name, err)
				}
			}
		}
		if !migrated {
			continue // statements would fail against tables the migrations did not create
		}
		stmt, err := db.PrepareContext(ctx, s)
		if err != nil {
			b.errorf(at, "derive.sqlite-prepare", "", "transform %s statement %q failed to prepare: %v", t.Name, abbreviate(s), err)
			continue
		}
		stmt.Close()
	}
}

// isReadOnlySQL tells statements that only read (SELECT, VALUES, and WITH without a write).
func isReadOnlySQL(stmt string) bool {
	words := strings.Fields(strings.ToLower(stmt))
	if len(words) == 0 {
		return true
	}
	switch words[0] {
	case "select", "values":
		return true
	case "with":
		for _, w := range words {
			if w == "insert" || w == "update" || w == "delete" || w == "replace" {
				return false
			}
		}
		return true
	}
	return false
}

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
