package materialize

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/flowctl/flowctl/pkg/connector"
)

// flatType reduces a projection's inferred types to one: a single non-null type, "number" for
// integer-or-number, "multiple" for several, "" for none.
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
	case len(types) == 1:
		if types[0] == "fractional" {
			return "number"
		}
		return types[0]
	case len(types) == 2 && types[0] == "integer" && types[1] == "number":
		return "number"
	default:
		return "multiple"
	}
}

// notNull is Flow's rule: the location must exist and null is not among its types.
func notNull(inf *connector.Inference) bool {
	return inf.Exists == connector.ExistsMust && !slices.Contains(inf.Types, "null")
}

// dialect maps fields to one database's column types and SQL.
type dialect struct {
	name string
	// columnType returns the SQL type of a projection, or an error if the database cannot hold it.
	columnType  func(p *connector.Projection, isDocument bool) (string, error)
	placeholder func(i int) string // the i-th (0-based) statement parameter
	maxIdent    int                // identifier length limit in bytes, 0 for none
	foldsCase   bool               // identifiers compare without regard to ASCII case, quoted or not
	comments    bool               // COMMENT ON is supported
}

var sqliteDialect = dialect{
	name: "SQLite",
	columnType: func(p *connector.Projection, isDocument bool) (string, error) {
		if isDocument {
			return "TEXT", nil
		}
		switch t := flatType(&p.Inference); t {
		case "integer":
			return "INTEGER", nil
		case "number":
			return "REAL", nil
		case "boolean":
			return "BOOLEAN", nil
		case "string", "object", "array":
			return "TEXT", nil
		default:
			return "", fmt.Errorf("unable to map field %s with type %v", p.Field, p.Inference.Types)
		}
	},
	placeholder: func(int) string { return "?" },
	foldsCase:   true,
}

var postgresDialect = dialect{
	name: "PostgreSQL",
	columnType: func(p *connector.Projection, isDocument bool) (string, error) {
		if isDocument {
			return "JSON", nil
		}
		switch t := flatType(&p.Inference); t {
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
		default:
			return "", fmt.Errorf("unable to map field %s with type %v", p.Field, p.Inference.Types)
		}
	},
	placeholder: func(i int) string { return fmt.Sprintf("$%d", i+1) },
	maxIdent:    63,
	comments:    true,
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
	default:
		return "TEXT"
	}
}

var simpleIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// reservedWords that must be quoted even when simple; a short list of the common SQL keywords.
var reservedWords = map[string]bool{
	"all": true, "and": true, "as": true, "asc": true, "by": true, "case": true, "check": true, "column": true,
	"create": true, "default": true, "delete": true, "desc": true, "distinct": true, "drop": true, "else": true,
	"end": true, "from": true, "group": true, "having": true, "in": true, "index": true, "insert": true,
	"into": true, "is": true, "join": true, "key": true, "limit": true, "not": true, "null": true, "of": true,
	"on": true, "or": true, "order": true, "primary": true, "references": true, "select": true, "set": true,
	"table": true, "then": true, "to": true, "union": true, "unique": true, "update": true, "user": true,
	"using": true, "values": true, "when": true, "where": true, "with": true,
}

// quote renders an identifier, double-quoted unless it is simple and not reserved.
func (d *dialect) quote(ident string) string {
	ident = d.truncate(ident)
	if simpleIdent.MatchString(ident) && !reservedWords[ident] {
		return ident
	}
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

// folded is the name the database gives the column of field when two fields could share it, or
// "" when that is the field itself: SQLite matches identifiers without regard to ASCII case even
// when quoted, PostgreSQL keeps case (quote folds nothing) but truncates to 63 bytes. Field
// selection rejects a field whose folded name another selected field holds (DuplicateFold).
func (d *dialect) folded(field string) string {
	f := d.truncate(field)
	if d.foldsCase {
		f = asciiLower(f)
	}
	if f == field {
		return ""
	}
	return f
}

// truncate cuts an identifier to the dialect's limit at a character boundary, as PostgreSQL
// does (pg_mbcliplen), so a multi-byte character is dropped whole rather than split.
func (d *dialect) truncate(ident string) string {
	if d.maxIdent <= 0 || len(ident) <= d.maxIdent {
		return ident
	}
	cut := d.maxIdent
	for cut > 0 && !utf8.RuneStart(ident[cut]) {
		cut--
	}
	return ident[:cut]
}

// asciiLower lowers A-Z only, as SQLite's identifier comparison does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// quoteTable quotes a possibly schema-qualified table name given as separate parts.
func (d *dialect) quoteTable(parts ...string) string {
	var q []string
	for _, p := range parts {
		if p != "" {
			q = append(q, d.quote(p))
		}
	}
	return strings.Join(q, ".")
}

// column is one column of a binding's table.
type column struct {
	field   string
	ident   string // quoted
	sqlType string
	notNull bool
	comment string
}

// tableColumns maps a binding's field selection to columns: keys, values, then the document.
func (d *dialect) tableColumns(b *connector.MaterializationBinding) ([]column, error) {
	var cols []column
	for _, field := range b.FieldSelection.AllFields() {
		p := b.Collection.Projection(field)
		if p == nil {
			return nil, fmt.Errorf("collection %s has no projection %q that the field selection names", b.Collection.Name, field)
		}
		isDoc := field == b.FieldSelection.Document
		typ, err := d.columnType(p, isDoc)
		if err != nil {
			return nil, fmt.Errorf("binding of %s: %w", b.Collection.Name, err)
		}
		origin := "auto-generated"
		if p.Explicit {
			origin = "user-provided"
		}
		cols = append(cols, column{
			field: field, ident: d.quote(field), sqlType: typ,
			notNull: isDoc || notNull(&p.Inference) || slices.Contains(b.FieldSelection.Keys, field),
			comment: fmt.Sprintf("%s projection of JSON at: %s with inferred types: %v", origin, p.Ptr, p.Inference.Types),
		})
	}
	return cols, nil
}

// dialectsByImage are the dialects of the built-in SQL materializations, by image name.
var dialectsByImage = map[string]*dialect{SQLiteImage: &sqliteDialect, PostgresImage: &postgresDialect}

// CreateTableStatements returns the statements that the built-in SQL materialization `image`
// (SQLiteImage or PostgresImage) runs in Apply to create the table of binding b: CREATE TABLE
// IF NOT EXISTS, then on PostgreSQL a COMMENT ON the table and on each column. The table is the
// binding's resource `table`, in its resource `schema` (PostgreSQL only) or else in
// endpointSchema, the endpoint's schema ("" for none). Columns follow b.FieldSelection.
func CreateTableStatements(image, endpointSchema string, b *connector.MaterializationBinding) ([]string, error) {
	d := dialectsByImage[image]
	if d == nil {
		return nil, fmt.Errorf("%s is not a built-in SQL materialization: use %s or %s", image, SQLiteImage, PostgresImage)
	}
	return d.createTableStatements(endpointSchema, b)
}

// createTableStatements is CreateTableStatements in this dialect.
func (d *dialect) createTableStatements(endpointSchema string, b *connector.MaterializationBinding) ([]string, error) {
	table, r, err := d.tableOf(b, endpointSchema)
	if err != nil {
		return nil, err
	}
	cols, err := d.tableColumns(b)
	if err != nil {
		return nil, err
	}
	return d.createTable(table, cols, len(b.FieldSelection.Keys), r.DeltaUpdates, b.Collection.Name), nil
}

// tableOf is the quoted name of a binding's table and its parsed resource. Only PostgreSQL names
// tables by schema: materialize-sqlite's resource has no schema, and its Validate reports the
// table alone as the resource path.
func (d *dialect) tableOf(b *connector.MaterializationBinding, endpointSchema string) (string, sqlResource, error) {
	r, err := parseResource(b.ResourceConfig, b.Collection.Name)
	if err != nil {
		return "", r, err
	}
	schema := endpointSchema
	if r.Schema != "" && d.comments {
		schema = r.Schema
	}
	return d.quoteTable(schema, r.Table), r, nil
}

// createTable renders the DDL of a binding's table and, where supported, its comments.
func (d *dialect) createTable(table string, cols []column, keys int, delta bool, collection string) []string {
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
			quoteLiteral("Generated for materialization of collection "+collection)))
		for _, c := range cols {
			stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", table, c.ident, quoteLiteral(c.comment)))
		}
	}
	return stmts
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
