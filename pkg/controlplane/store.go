package controlplane

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" database/sql driver
)

// Store is the control plane's database. Every query is written once, with '?' placeholders, and
// rebound for PostgreSQL.
type Store struct {
	db       *sql.DB
	postgres bool
}

// OpenStore opens the database at url and brings its schema up to date. A postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is a SQLite file path (an optional sqlite://
// or file: prefix is accepted).
func OpenStore(ctx context.Context, url string) (*Store, error) {
	s := &Store{}
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s.postgres = true
		s.db, err = sql.Open("pgx", url)
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "file:")
		if path == "" {
			return nil, fmt.Errorf("no database given: pass a SQLite file path or a postgres:// URL")
		}
		// One connection: SQLite allows one writer, and a single connection turns lock contention
		// into queueing instead of SQLITE_BUSY errors.
		s.db, err = sql.Open("sqlite3", "file:"+path+"?_foreign_keys=1&_journal_mode=WAL&_busy_timeout=10000&_synchronous=FULL")
		if err == nil {
			s.db.SetMaxOpenConns(1)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connecting to database %s: %w", redactURL(url), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// rebind turns '?' placeholders into PostgreSQL's $1, $2, ... Queries hold no '?' in literals.
func (s *Store) rebind(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) exec(ctx context.Context, q querier, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, s.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, q querier, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, s.rebind(query), args...)
}

func (s *Store) queryRow(ctx context.Context, q querier, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, s.rebind(query), args...)
}

// insertRows runs one multi-row INSERT per chunk of rows: `head` is "INSERT INTO t (a, b) VALUES" and
// tail an optional ON CONFLICT clause. One statement instead of one per row saves a round trip per
// row, which is most of a publication's time on PostgreSQL.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, head, tail string, rows [][]any) error {
	const rowsPerStatement = 500 // keeps parameters far below both databases' limits
	for start := 0; start < len(rows); start += rowsPerStatement {
		chunk := rows[start:min(start+rowsPerStatement, len(rows))]
		var b strings.Builder
		b.WriteString(head)
		var args []any
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(" (" + placeholders(len(r)) + ")")
			args = append(args, r...)
		}
		b.WriteString(" " + tail)
		if _, err := s.exec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil and rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, hasPass := strings.Cut(creds, ":"); hasPass {
		return scheme + "://" + user + ":***@" + host
	}
	return url
}
