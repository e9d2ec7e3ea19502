package controlplane

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema. Statements are portable SQL that SQLite and PostgreSQL both
// accept; a migration never changes once released: a new one is appended instead.
type migration struct {
	name       string
	statements []string
}

var migrations = []migration{
	{"initial schema", []string{
		`CREATE TABLE users (
			name TEXT PRIMARY KEY,
			created_at TEXT NOT NULL)`,
		`CREATE TABLE user_grants (
			user_name TEXT NOT NULL REFERENCES users(name),
			prefix TEXT NOT NULL,
			capability TEXT NOT NULL,
			created_at TEXT NOT NULL,
			PRIMARY KEY (user_name, prefix))`,
		`CREATE TABLE api_tokens (
			id TEXT PRIMARY KEY,
			token_hash TEXT NOT NULL UNIQUE,
			user_name TEXT NOT NULL REFERENCES users(name),
			created_at TEXT NOT NULL,
			revoked_at TEXT)`,
		`CREATE TABLE drafts (
			id TEXT PRIMARY KEY,
			owner TEXT NOT NULL REFERENCES users(name),
			detail TEXT NOT NULL,
			created_at TEXT NOT NULL,
			updated_at TEXT NOT NULL)`,
		`CREATE TABLE draft_specs (
			draft_id TEXT NOT NULL REFERENCES drafts(id),
			catalog_name TEXT NOT NULL,
			spec_type TEXT NOT NULL,
			spec TEXT,
			expect_pub_id TEXT NOT NULL,
			PRIMARY KEY (draft_id, catalog_name))`,
		`CREATE TABLE publications (
			id TEXT PRIMARY KEY,
			user_name TEXT NOT NULL,
			draft_id TEXT NOT NULL,
			detail TEXT NOT NULL,
			published_at TEXT NOT NULL)`,
		`CREATE TABLE live_specs (
			catalog_name TEXT PRIMARY KEY,
			spec_type TEXT NOT NULL,
			spec TEXT NOT NULL,
			last_pub_id TEXT NOT NULL,
			last_pub_user TEXT NOT NULL,
			updated_at TEXT NOT NULL)`,
		`CREATE TABLE live_spec_refs (
			catalog_name TEXT NOT NULL,
			ref_name TEXT NOT NULL,
			PRIMARY KEY (catalog_name, ref_name))`,
		`CREATE INDEX live_spec_refs_by_ref ON live_spec_refs (ref_name)`,
		`CREATE TABLE publication_specs (
			pub_id TEXT NOT NULL REFERENCES publications(id),
			catalog_name TEXT NOT NULL,
			spec_type TEXT NOT NULL,
			spec TEXT,
			PRIMARY KEY (pub_id, catalog_name))`,
		`CREATE INDEX publication_specs_by_name ON publication_specs (catalog_name, pub_id)`,
		`CREATE TABLE counters (
			name TEXT PRIMARY KEY,
			value BIGINT NOT NULL)`,
		`INSERT INTO counters (name, value) VALUES ('publication', 0)`,
	}},
}

// migrate applies every migration not yet recorded in schema_migrations, each in its own transaction
// together with its record, so a failed migration leaves no trace and is retried on the next start.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("creating the migrations table: %w", err)
	}
	var applied int
	if err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("reading applied migrations: %w", err)
	}
	if applied > len(migrations) {
		return fmt.Errorf("the database has %d migrations but this flowd knows only %d: run a newer flowd", applied, len(migrations))
	}
	for version := applied; version < len(migrations); version++ {
		m := migrations[version]
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range m.statements {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			_, err := s.exec(ctx, tx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				version+1, m.name, now())
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %d (%s): %w", version+1, m.name, err)
		}
	}
	return nil
}

// now is the timestamp format of every stored time: RFC 3339 in UTC, which sorts as text.
func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
