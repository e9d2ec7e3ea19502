package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/fieldsel"
	"github.com/flowctl/flowctl/pkg/connector/materialize"
)

// Dialect is a SQL dialect of a built-in materialization.
type Dialect string

// Dialects of the built-in SQL materializations.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// dialectImages are the built-in connectors whose tables each dialect describes.
var dialectImages = map[Dialect]string{SQLite: materialize.SQLiteImage, Postgres: materialize.PostgresImage}

// Table is the DDL of one materialization binding's table.
type Table struct {
	Materialization string
	Collection      string
	Dialect         Dialect
	// Statements are run in order: CREATE TABLE, then (PostgreSQL) its comments.
	Statements []string
}

// SQLTables returns the statements that create the table of every enabled binding of every
// materialization, as the built-in SQL materializations create them: the connector validates
// each binding (its constraints and delta-updates mode decide the field selection), and the
// columns follow the selection. With dialect "", each materialization uses its own connector's
// dialect and materializations of other connectors are returned in skipped; otherwise every
// binding is rendered in dialect.
func SQLTables(ctx context.Context, built *catalog.Built, dialect Dialect) (tables []Table, skipped []string, err error) {
	if dialect != "" && dialectImages[dialect] == "" {
		return nil, nil, fmt.Errorf("unknown SQL dialect %q: use sqlite or postgres", dialect)
	}
	for _, m := range built.Materializations {
		d := dialect
		if d == "" {
			if d = dialectOf(m); d == "" {
				skipped = append(skipped, m.Name)
				continue
			}
		}
		ts, err := materializationTables(ctx, m, d)
		if err != nil {
			return nil, nil, err // connector errors name the task
		}
		tables = append(tables, ts...)
	}
	return tables, skipped, nil
}

// dialectOf is the dialect of a materialization's built-in SQL connector, or "".
func dialectOf(m *catalog.BuiltMaterialization) Dialect {
	if m.Def == nil || m.Def.Endpoint.Connector == nil {
		return ""
	}
	image := connector.ImageName(m.Def.Endpoint.Connector.Image)
	for d, img := range dialectImages {
		if img == image {
			return d
		}
	}
	return ""
}

func materializationTables(ctx context.Context, m *catalog.BuiltMaterialization, d Dialect) ([]Table, error) {
	specs, err := bindingSpecs(ctx, m, d)
	if err != nil {
		return nil, err
	}
	var schema string
	if d == Postgres {
		schema = postgresSchema(m)
	}
	var out []Table
	for i := range specs {
		b := &specs[i]
		stmts, err := materialize.CreateTableStatements(dialectImages[d], schema, b)
		if err != nil {
			return nil, fmt.Errorf("materialization %s: %w", m.Name, err)
		}
		out = append(out, Table{Materialization: m.Name, Collection: b.Collection.Name, Dialect: d, Statements: stmts})
	}
	return out, nil
}

// bindingSpecs are the enabled bindings of a materialization as the dialect's built-in connector
// validates them, with the field selections Flow's build makes from the connector's constraints.
func bindingSpecs(ctx context.Context, m *catalog.BuiltMaterialization, d Dialect) ([]connector.MaterializationBinding, error) {
	config := json.RawMessage("{}")
	if c := m.Def.Endpoint.Connector; c != nil && c.Config != nil && c.Config.Value != nil {
		config, _ = json.Marshal(c.Config.Value)
	}
	req := &connector.MaterializeValidate{Name: m.Name, ConnectorType: connector.ConnectorTypeImage, Config: config}
	var stanzas []fieldsel.Stanza
	for _, b := range m.Bindings {
		if b.Source == nil || (b.Def != nil && b.Def.Disable) {
			continue
		}
		resource, err := json.Marshal(b.Resource)
		if err != nil {
			return nil, fmt.Errorf("materialization %s: resource of the binding of %s: %w", m.Name, b.Source.Name, err)
		}
		var fields *catalog.FieldSelection
		if b.Def != nil {
			fields = b.Def.Fields
		}
		stanza, err := stanzaOf(fields)
		if err != nil {
			return nil, fmt.Errorf("materialization %s: binding of %s: %w", m.Name, b.Source.Name, err)
		}
		// The built-in connectors take a collection's projections; they read no schema.
		coll := connector.CollectionSpecOf(b.Source.Name, b.Source.Key, b.Source.PartitionFields, b.Source.Projections, nil, nil)
		req.Bindings = append(req.Bindings, connector.MaterializeValidateBinding{
			ResourceConfig: resource, Collection: *coll, GroupBy: stanza.GroupBy, FieldConfig: stanza.Require})
		stanzas = append(stanzas, stanza)
	}
	if len(req.Bindings) == 0 {
		return nil, nil
	}
	ep := connector.Endpoint{Task: m.Name, Image: dialectImages[d]}
	validated, err := connector.ValidateMaterialization(ctx, ep, connector.Options{}, req)
	if err != nil {
		return nil, err
	}
	out := make([]connector.MaterializationBinding, len(req.Bindings))
	for i, vb := range validated.Bindings {
		rb := &req.Bindings[i]
		fs, errs := fieldsel.Select(&rb.Collection, vb.Constraints, stanzas[i])
		if len(errs) > 0 {
			return nil, fmt.Errorf("materialization %s: binding of %s: fields: %w", m.Name, rb.Collection.Name, errors.Join(errs...))
		}
		out[i] = connector.MaterializationBinding{ResourceConfig: rb.ResourceConfig, ResourcePath: vb.ResourcePath,
			Collection: rb.Collection, FieldSelection: fs, DeltaUpdates: vb.DeltaUpdates}
	}
	return out, nil
}

// stanzaOf is a binding's `fields` block as fieldsel takes it; no block selects recommended fields.
func stanzaOf(fields *catalog.FieldSelection) (fieldsel.Stanza, error) {
	if fields == nil {
		return fieldsel.Stanza{Recommended: fieldsel.AnyDepth}, nil
	}
	return fieldsel.NewStanza(fields.Recommended, fields.Require, fields.Exclude, fields.GroupBy)
}

// postgresSchema is the schema of tables whose resource names none: the endpoint's, else public,
// as materialize-postgres defaults it.
func postgresSchema(m *catalog.BuiltMaterialization) string {
	if c := m.Def.Endpoint.Connector; c != nil && c.Config != nil {
		if cfg, ok := c.Config.Value.(map[string]any); ok {
			if s, ok := cfg["schema"].(string); ok && s != "" {
				return s
			}
		}
	}
	return "public"
}

// RenderSQL writes tables as one SQL script, each table under a comment naming its binding.
func RenderSQL(tables []Table) string {
	var b strings.Builder
	b.WriteString(strings.Replace(generatedHeader, "//", "--", 1))
	for _, t := range tables {
		fmt.Fprintf(&b, "\n-- Materialization %s, binding of collection %s (%s).\n", t.Materialization, t.Collection, t.Dialect)
		for _, s := range t.Statements {
			b.WriteString(s)
			b.WriteString(";\n")
		}
	}
	return b.String()
}
