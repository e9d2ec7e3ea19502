package generate

// MIRROR of pkg/connector/materialize/columns.go (flatType, notNull, the dialects' column types,
// quote, tableColumns and createTable), which are unexported. Kept in this one file until that
// package exports its DDL, and checked statement for statement against what the real
// materialize-sqlite and materialize-postgres connectors run (sql_connector_test.go), so the two
// cannot drift apart unnoticed.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

func flatType(inf *connector.Inference) string {
	var types []string
	for _, t := range inf.Types {
		if t != "null" {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	switch {
	case len(types) == 0:
		return ""
	case len(types) == 1 && types[0] == "fractional":
		return "number"
	case len(types) == 1:
		return types[0]
	case len(types) == 2 && types[0] == "integer" && types[1] == "number":
		return "number"
	}
	return "multiple"
}

// sqlDialect is how one database names types and identifiers.
type sqlDialect struct {
	columnType func(p *connector.Projection, isDocument bool) (string, error)
	maxIdent   int  // identifier length limit in bytes, 0 for none
	comments   bool // COMMENT ON is supported; otherwise columns carry inline comments
}

var sqlDialects = map[Dialect]*sqlDialect{
	SQLite: {columnType: func(p *connector.Projection, isDocument bool) (string, error) {
		if isDocument {
			return "TEXT", nil
		}
		switch flatType(&p.Inference) {
		case "integer":
			return "INTEGER", nil
		case "number":
			return "REAL", nil
		case "boolean":
			return "BOOLEAN", nil
		case "string", "object", "array":
			return "TEXT", nil
		}
		return "", fmt.Errorf("unable to map field %s with type %v", p.Field, p.Inference.Types)
	}},
	Postgres: {maxIdent: 63, comments: true, columnType: func(p *connector.Projection, isDocument bool) (string, error) {
		if isDocument {
			return "JSON", nil
		}
		switch flatType(&p.Inference) {
		case "integer":
			return "BIGINT", nil
		case "number":
			return "DOUBLE PRECISION", nil
		case "boolean":
			return "BOOLEAN", nil
		case "string":
			return postgresStringType(p), nil
		case "object", "array", "multiple":
			return "JSON", nil
		}
		return "", fmt.Errorf("unable to map field %s with type %v", p.Field, p.Inference.Types)
	}},
}

func postgresStringType(p *connector.Projection) string {
	if p.Inference.String == nil {
		return "TEXT"
	}
	switch p.Inference.String.Format {
	case "date":
		return "DATE"
	case "date-time":
		return "TIMESTAMPTZ"
	case "time":
		return "TIME"
	case "uuid":
		return "UUID"
	case "duration":
		return "INTERVAL"
	case "integer":
		return "NUMERIC"
	case "number":
		return "DECIMAL"
	}
	return "TEXT"
}

var simpleIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

var reservedWords = map[string]bool{
	"all": true, "and": true, "as": true, "asc": true, "by": true, "case": true, "check": true, "column": true,
	"create": true, "default": true, "delete": true, "desc": true, "distinct": true, "drop": true, "else": true,
	"end": true, "from": true, "group": true, "having": true, "in": true, "index": true, "insert": true,
	"into": true, "is": true, "join": true, "key": true, "limit": true, "not": true, "null": true, "of": true,
	"on": true, "or": true, "order": true, "primary": true, "references": true, "select": true, "set": true,
	"table": true, "then": true, "to": true, "union": true, "unique": true, "update": true, "user": true,
	"using": true, "values": true, "when": true, "where": true, "with": true,
}

func (d *sqlDialect) quote(ident string) string {
	if d.maxIdent > 0 && len(ident) > d.maxIdent {
		ident = ident[:d.maxIdent]
	}
	if simpleIdent.MatchString(ident) && !reservedWords[ident] {
		return ident
	}
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

func (d *sqlDialect) quoteTable(parts ...string) string {
	var q []string
	for _, p := range parts {
		if p != "" {
			q = append(q, d.quote(p))
		}
	}
	return strings.Join(q, ".")
}

type sqlColumn struct {
	ident, sqlType, comment string
	notNull                 bool
}

func (d *sqlDialect) columns(coll *connector.CollectionSpec, fs *connector.FieldSelection) ([]sqlColumn, error) {
	var cols []sqlColumn
	for _, field := range fs.AllFields() {
		p := coll.Projection(field)
		if p == nil {
			return nil, fmt.Errorf("collection %s has no projection %q that the field selection names", coll.Name, field)
		}
		isDoc := field == fs.Document
		typ, err := d.columnType(p, isDoc)
		if err != nil {
			return nil, fmt.Errorf("binding of %s: %w", coll.Name, err)
		}
		origin := "auto-generated"
		if p.Explicit {
			origin = "user-provided"
		}
		notNull := p.Inference.Exists == connector.ExistsMust && !slices.Contains(p.Inference.Types, "null")
		cols = append(cols, sqlColumn{
			ident: d.quote(field), sqlType: typ,
			notNull: isDoc || notNull || slices.Contains(fs.Keys, field),
			comment: fmt.Sprintf("%s projection of JSON at: %s with inferred types: %v", origin, p.Ptr, p.Inference.Types),
		})
	}
	return cols, nil
}

func (d *sqlDialect) createTable(table string, cols []sqlColumn, keys int, delta bool, collection string) []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", table)
	for i, c := range cols {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n\t%s %s", c.ident, c.sqlType)
		if c.notNull {
			b.WriteString(" NOT NULL")
		}
		if !d.comments {
			fmt.Fprintf(&b, " /* %s */", strings.ReplaceAll(c.comment, "*/", "* /"))
		}
	}
	if !delta && keys > 0 {
		var idents []string
		for _, c := range cols[:keys] {
			idents = append(idents, c.ident)
		}
		fmt.Fprintf(&b, ",\n\n\tPRIMARY KEY (%s)", strings.Join(idents, ", "))
	}
	b.WriteString("\n)")
	stmts := []string{b.String()}
	if d.comments {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON TABLE %s IS %s", table,
			sqlLiteral("Generated for materialization of collection "+collection)))
		for _, c := range cols {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", table, c.ident, sqlLiteral(c.comment)))
		}
	}
	return stmts
}

func sqlLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
