package materialize

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// sqlDriver is a SQL materialization over database/sql; sqlite.go and postgres.go configure it.
type sqlDriver struct {
	dialect *dialect
	docURL  string
	config  json.RawMessage // the config schema
	// connect opens the endpoint of a task config and names the schema of its tables ("" for none).
	connect func(ctx context.Context, config json.RawMessage) (db *sql.DB, schema string, hardDelete bool, err error)
}

var resourceSchema = json.RawMessage(`{"type":"object","required":["table"],"properties":{` +
	`"table":{"type":"string","title":"Table","x-collection-name":true},` +
	`"schema":{"type":"string","title":"Schema","x-schema-name":true},` +
	`"delta_updates":{"type":"boolean","default":false,"title":"Delta updates","x-delta-updates":true}}}`)

func (d *sqlDriver) spec() *connector.SpecResponse {
	return &connector.SpecResponse{Protocol: connector.ProtocolVersion, ConfigSchema: d.config,
		ResourceConfigSchema: resourceSchema, DocumentationURL: d.docURL}
}

func (d *sqlDriver) validate(_ context.Context, req *connector.MaterializeValidate) (*connector.MaterializeValidated, error) {
	out := &connector.MaterializeValidated{}
	for _, b := range req.Bindings {
		r, err := parseResource(b.ResourceConfig, b.Collection.Name)
		if err != nil {
			return nil, err
		}
		path := []string{r.Table}
		if d.dialect.comments && r.Schema != "" { // only PostgreSQL names a table by schema (see tableOf)
			path = []string{r.Schema, r.Table}
		}
		out.Bindings = append(out.Bindings, connector.MaterializeValidatedBinding{
			Constraints:  constraints(&b.Collection, r.DeltaUpdates, d.dialect == &postgresDialect, d.dialect.folded),
			ResourcePath: path,
			DeltaUpdates: r.DeltaUpdates,
		})
	}
	return out, nil
}

func (d *sqlDriver) apply(ctx context.Context, req *connector.MaterializeApply) (string, error) {
	if req.Materialization == nil {
		return "", fmt.Errorf("apply carries no materialization")
	}
	db, schema, _, err := d.connect(ctx, req.Materialization.Config)
	if err != nil {
		return "", err
	}
	defer db.Close()
	stmts, err := d.ddl(req.Materialization, schema)
	if err != nil {
		return "", err
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return "", fmt.Errorf("materialization %s: %s: %w", req.Materialization.Name, s, err)
		}
	}
	return strings.Join(stmts, ";\n") + ";", nil
}

// ddl is the statements that create the checkpoints table and every binding's table.
func (d *sqlDriver) ddl(spec *connector.MaterializationSpec, schema string) ([]string, error) {
	stmts := []string{d.checkpointsDDL(schema)}
	for i := range spec.Bindings {
		table, err := d.dialect.createTableStatements(schema, &spec.Bindings[i])
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, table...)
	}
	return stmts, nil
}

func (d *sqlDriver) checkpointsTable(schema string) string {
	return d.dialect.quoteTable(schema, "flow_checkpoints_v1")
}

func (d *sqlDriver) checkpointsDDL(schema string) string {
	return fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	materialization TEXT NOT NULL,
	key_begin BIGINT NOT NULL,
	key_end BIGINT NOT NULL,
	fence BIGINT NOT NULL,
	checkpoint TEXT NOT NULL,

	PRIMARY KEY (materialization, key_begin, key_end)
)`, d.checkpointsTable(schema))
}

func (d *sqlDriver) open(ctx context.Context, req *connector.MaterializeOpen) (transactor, *connector.Checkpoint, error) {
	spec := req.Materialization
	if spec == nil {
		return nil, nil, fmt.Errorf("open carries no materialization")
	}
	rng := connector.FullRange
	if req.Range != nil {
		rng = *req.Range
	}
	db, schema, hardDelete, err := d.connect(ctx, spec.Config)
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.Conn(ctx) // temporary load tables live on one connection
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("materialization %s: connecting: %w", spec.Name, err)
	}
	t := &sqlTransactor{d: d, db: db, conn: conn, name: spec.Name, rng: rng, hardDelete: hardDelete,
		checkpoints: d.checkpointsTable(schema)}
	cp, err := t.setup(ctx, spec, schema)
	if err != nil {
		_ = t.close()
		return nil, nil, fmt.Errorf("materialization %s: %w", spec.Name, err)
	}
	return t, cp, nil
}
