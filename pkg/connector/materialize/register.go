package materialize

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" database/sql driver
)

// Images of the built-in materializations.
const (
	SQLiteImage   = "ghcr.io/estuary/materialize-sqlite"
	PostgresImage = "ghcr.io/estuary/materialize-postgres"
)

func init() {
	connector.RegisterMaterialize(SQLiteImage, serveWith(sqliteDriver))
	connector.RegisterMaterialize(PostgresImage, serveWith(postgresDriver))
}

func serveWith(d driver) connector.MaterializeDriver {
	return func(ctx context.Context, stream connector.MaterializeServerStream, _ *slog.Logger) error {
		return serve(ctx, stream, d)
	}
}

var sqliteDriver = &sqlDriver{
	dialect: &sqliteDialect,
	docURL:  "https://go.estuary.dev/materialize-sqlite",
	config: json.RawMessage(`{"type":"object","required":["path"],"properties":{` +
		`"path":{"type":"string","title":"Database file"},"hardDelete":{"type":"boolean","default":false}}}`),
	connect: func(ctx context.Context, raw json.RawMessage) (*sql.DB, string, bool, error) {
		c, err := parseSQLiteConfig(raw)
		if err != nil {
			return nil, "", false, err
		}
		db, err := sql.Open("sqlite3", c.dsn())
		if err == nil {
			err = db.PingContext(ctx)
		}
		if err != nil {
			return nil, "", false, fmt.Errorf("opening SQLite database %s: %w", c.Path, err)
		}
		return db, "", c.HardDelete, nil
	},
}

var postgresDriver = &sqlDriver{
	dialect: &postgresDialect,
	docURL:  "https://go.estuary.dev/materialize-postgresql",
	config: json.RawMessage(`{"type":"object","required":["address","user","password"],"properties":{` +
		`"address":{"type":"string","title":"Address"},"user":{"type":"string"},"password":{"type":"string","secret":true},` +
		`"database":{"type":"string"},"schema":{"type":"string","default":"public"},"hardDelete":{"type":"boolean","default":false}}}`),
	connect: func(ctx context.Context, raw json.RawMessage) (*sql.DB, string, bool, error) {
		c, err := parsePostgresConfig(raw)
		if err != nil {
			return nil, "", false, err
		}
		cfg, err := pgx.ParseConfig(c.dsn())
		if err != nil {
			return nil, "", false, fmt.Errorf("materialize-postgres config: %w", err)
		}
		db := sql.OpenDB(stdlib.GetConnector(*cfg))
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, "", false, fmt.Errorf("connecting to PostgreSQL at %s as %s: %w", c.Address, c.User, err)
		}
		return db, c.Schema, c.HardDelete, nil
	},
}
