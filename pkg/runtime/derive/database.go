package derive

import (
	"context"
	"database/sql"
	"fmt"

	// The SQLite driver: a derivation's state lives in a SQLite database, as in Flow.
	_ "github.com/mattn/go-sqlite3"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// MemoryPath opens a derivation's database in memory, as Flow does for tests and validation.
const MemoryPath = ":memory:"

// bootstrap creates Flow's bookkeeping tables and opens the exclusive transaction the
// connection holds from then on (flow-spec 5.2: database and checkpoint commit together).
var bootstrap = []string{
	"PRAGMA synchronous=FULL",
	"PRAGMA secure_delete=FAST",
	"BEGIN EXCLUSIVE",
	`CREATE TABLE IF NOT EXISTS gazette_checkpoint (
		rowid INTEGER PRIMARY KEY DEFAULT 0 CHECK (rowid = 0),
		checkpoint BLOB
	)`,
	`CREATE TABLE IF NOT EXISTS flow_migrations (
		script_index INTEGER PRIMARY KEY NOT NULL,
		script TEXT NOT NULL
	)`,
}

// openDatabase opens the database at path on one connection (each connection to ":memory:" is
// a separate database), bootstraps it and applies the migrations it has not seen yet.
func openDatabase(ctx context.Context, path string, migrations []string) (*sql.DB, *sql.Conn, error) {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	fail := func(err error) (*sql.DB, *sql.Conn, error) {
		conn.Close()
		db.Close()
		return nil, nil, err
	}
	if path != MemoryPath {
		// WAL keeps a crash between COMMIT and the next BEGIN from losing committed state.
		if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
			return fail(fmt.Errorf("SQLite database %s: setting WAL mode: %w", path, err))
		}
	}
	for _, s := range bootstrap {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fail(fmt.Errorf("SQLite database %s: bootstrap %q: %w", path, s, err))
		}
	}
	if err := migrate(ctx, conn, migrations); err != nil {
		return fail(fmt.Errorf("SQLite database %s: %w", path, err))
	}
	return db, conn, nil
}

// migrate applies, statement by statement, every migration whose index is past the last one
// recorded in flow_migrations, and records it, inside the open transaction.
func migrate(ctx context.Context, conn *sql.Conn, migrations []string) error {
	var last sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(script_index) FROM flow_migrations").Scan(&last); err != nil {
		return fmt.Errorf("reading flow_migrations: %w", err)
	}
	next := 0
	if last.Valid {
		next = int(last.Int64) + 1
	}
	if next > len(migrations) {
		return fmt.Errorf("the database has %d migrations applied but the derivation defines only %d; "+
			"published migrations must never be removed", next, len(migrations))
	}
	for i := next; i < len(migrations); i++ {
		stmts, err := catalog.SplitSQLBlock(migrations[i])
		if err != nil {
			return fmt.Errorf("migration %d: %w", i, err)
		}
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("migration %d statement %q: %w", i, abbreviate(s), err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO flow_migrations (script_index, script) VALUES (?, ?)", i, migrations[i]); err != nil {
			return fmt.Errorf("recording migration %d: %w", i, err)
		}
	}
	return nil
}
