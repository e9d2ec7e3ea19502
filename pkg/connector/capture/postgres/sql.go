package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// quoteIdent quotes one SQL identifier.
func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// escapeLiteral escapes a value for a single-quoted SQL literal (replication commands take no parameters).
func escapeLiteral(s string) string { return strings.ReplaceAll(s, "'", "''") }

// quoteQualified quotes "schema.table" as two identifiers.
func quoteQualified(name string) string {
	schema, table, _ := strings.Cut(name, ".")
	return pgx.Identifier{schema, table}.Sanitize()
}
