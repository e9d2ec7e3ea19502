package materialize

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// sqlResource is a binding's resource config: Estuary's `{table, delta_updates}`, plus `schema`
// for PostgreSQL.
type sqlResource struct {
	Table        string `json:"table"`
	DeltaUpdates bool   `json:"delta_updates,omitempty"`
	Schema       string `json:"schema,omitempty"`
}

func parseResource(raw json.RawMessage, collection string) (sqlResource, error) {
	var r sqlResource
	if err := json.Unmarshal(orEmpty(raw), &r); err != nil {
		return r, fmt.Errorf("resource of the binding of %s: %w; expected {table, delta_updates}", collection, err)
	}
	if r.Table == "" {
		return r, fmt.Errorf("resource of the binding of %s has no `table`: name the table to write, e.g. {table: %s}",
			collection, defaultTableName(collection))
	}
	return r, nil
}

func defaultTableName(collection string) string {
	return collection[strings.LastIndexByte(collection, '/')+1:]
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("{}")
	}
	return raw
}

// sqliteConfig is materialize-sqlite's endpoint config.
type sqliteConfig struct {
	Path       string `json:"path"`
	HardDelete bool   `json:"hardDelete,omitempty"`
}

func parseSQLiteConfig(raw json.RawMessage) (sqliteConfig, error) {
	var c sqliteConfig
	if err := json.Unmarshal(orEmpty(raw), &c); err != nil {
		return c, fmt.Errorf("materialize-sqlite config: %w; expected {path: FILE}", err)
	}
	c.Path = strings.TrimPrefix(c.Path, "file://")
	if c.Path == "" {
		return c, fmt.Errorf("materialize-sqlite config has no `path`: give the database file, e.g. {path: out.db}")
	}
	return c, nil
}

// dsn opens the file in WAL mode with synchronous=FULL (durable commits) and takes the write lock
// at BEGIN, so that two sessions never deadlock upgrading their locks.
func (c sqliteConfig) dsn() string {
	return "file:" + (&url.URL{Path: c.Path}).EscapedPath() +
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate"
}

// postgresConfig is materialize-postgres's endpoint config, as Estuary's connector has it.
type postgresConfig struct {
	Address    string `json:"address"`
	User       string `json:"user"`
	Password   string `json:"password"`
	Database   string `json:"database,omitempty"`
	Schema     string `json:"schema,omitempty"`
	HardDelete bool   `json:"hardDelete,omitempty"`
}

func parsePostgresConfig(raw json.RawMessage) (postgresConfig, error) {
	var c postgresConfig
	if err := json.Unmarshal(orEmpty(raw), &c); err != nil {
		return c, fmt.Errorf("materialize-postgres config: %w; expected {address, user, password, database, schema}", err)
	}
	var missing []string
	if c.Address == "" {
		missing = append(missing, "address")
	}
	if c.User == "" {
		missing = append(missing, "user")
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("materialize-postgres config lacks %s", strings.Join(missing, " and "))
	}
	if c.Schema == "" {
		c.Schema = "public"
	}
	return c, nil
}

func (c postgresConfig) dsn() string {
	host := c.Address
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "5432")
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(c.User, c.Password), Host: host, Path: "/" + c.Database}
	return u.String()
}
