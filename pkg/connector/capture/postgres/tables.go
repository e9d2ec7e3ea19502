package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// table is what the capture knows of one table: its columns and primary key.
type table struct {
	schema, name string
	columns      []column
	key          []string // primary-key column names, in key order
}

type column struct {
	name    string
	oid     uint32
	notNull bool
}

func (t *table) id() string { return t.schema + "." + t.name }

// quoted is the table's name for SQL.
func (t *table) quoted() string { return pgx.Identifier{t.schema, t.name}.Sanitize() }

func (t *table) column(name string) (column, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

// keyOIDs returns the types of the key columns.
func (t *table) keyOIDs() []uint32 {
	out := make([]uint32, len(t.key))
	for i, k := range t.key {
		c, _ := t.column(k)
		out[i] = c.oid
	}
	return out
}

// listTables reads every user table of the database (system schemas and the watermarks table left out).
func listTables(ctx context.Context, conn *pgx.Conn, watermarks string) ([]*table, error) {
	rows, err := conn.Query(ctx, `
		SELECT c.oid, n.nspname, c.relname
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
		  AND n.nspname NOT LIKE 'pg_temp%'
		ORDER BY n.nspname, c.relname`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	type rel struct {
		oid          uint32
		schema, name string
	}
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.oid, &r.schema, &r.name); err != nil {
			return nil, err
		}
		if r.schema+"."+r.name != watermarks {
			rels = append(rels, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*table
	for _, r := range rels {
		t := &table{schema: r.schema, name: r.name}
		if err := describe(ctx, conn, r.oid, t); err != nil {
			return nil, fmt.Errorf("describing table %s: %w", t.id(), err)
		}
		out = append(out, t)
	}
	return out, nil
}

// lookupTable describes one table by name, or returns nil if there is no such table.
func lookupTable(ctx context.Context, conn *pgx.Conn, schema, name string) (*table, error) {
	var oid uint32
	err := conn.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, schema, name).Scan(&oid)
	if err == pgx.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	t := &table{schema: schema, name: name}
	return t, describe(ctx, conn, oid, t)
}

func describe(ctx context.Context, conn *pgx.Conn, oid uint32, t *table) error {
	rows, err := conn.Query(ctx, `SELECT attname, atttypid, attnotnull FROM pg_attribute
		WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, oid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.oid, &c.notNull); err != nil {
			return err
		}
		t.columns = append(t.columns, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = conn.Query(ctx, `SELECT a.attname
		FROM pg_index i
		JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`, oid)
	if err != nil {
		return err
	}
	t.key, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return err
}

// documentSchema is the JSON schema of the table's captured documents: its columns plus _meta.
func (t *table) documentSchema() map[string]any {
	props := map[string]any{}
	for _, c := range t.columns {
		props[c.name] = columnSchema(c.oid, !c.notNull && !t.isKey(c.name))
	}
	props["_meta"] = map[string]any{
		"type": "object",
		"properties": map[string]any{
			"op": map[string]any{"enum": []string{"c", "u", "d"}, "description": "Change operation: create, update or delete."},
			"source": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"schema":   map[string]any{"type": "string"},
					"table":    map[string]any{"type": "string"},
					"loc":      map[string]any{"type": "array", "items": map[string]any{"type": "integer"}},
					"txid":     map[string]any{"type": "integer"},
					"ts_ms":    map[string]any{"type": "integer"},
					"snapshot": map[string]any{"type": "boolean"},
				},
				"required": []string{"schema", "table"},
			},
		},
		"required": []string{"op", "source"},
	}
	// Deletes carry only the key and _meta, so only those are required.
	return map[string]any{
		"$schema":    "http://json-schema.org/draft/2020-12/schema",
		"type":       "object",
		"properties": props,
		"required":   append(append([]string{}, t.key...), "_meta"),
	}
}

func (t *table) isKey(name string) bool {
	for _, k := range t.key {
		if k == name {
			return true
		}
	}
	return false
}

// keyPointers are the collection key: the primary key columns as JSON pointers.
func (t *table) keyPointers() []string {
	out := make([]string, len(t.key))
	for i, k := range t.key {
		out[i] = "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
	}
	return out
}
