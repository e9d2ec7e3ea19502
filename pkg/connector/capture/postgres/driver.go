// Package postgres is the built-in source-postgres capture: each table is backfilled in primary-key
// chunks, then changes stream through logical replication (pgoutput, protocol version 1).
//
// Backfill and replication are aligned with watermarks, as Estuary's connector does: before each chunk
// the capture writes a unique value to the watermarks table and reads the stream up to that write.
// Changes to rows at or below a table's scanned key are emitted; changes above it are dropped, since
// the chunk read after the watermark already reflects them. A restart resumes the stream from the
// checkpointed LSN with the checkpointed scanned keys, so the same rule holds. Delivery is
// at-least-once: changes committed after the last acknowledged checkpoint are sent again on restart.
package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Image is the connector image this built-in answers for (any tag).
const Image = "ghcr.io/estuary/source-postgres"

func init() {
	connector.RegisterCapture(Image, func(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger) error {
		return capture.Serve(ctx, stream, log, Driver{})
	})
}

// Driver implements capture.Driver.
type Driver struct{}

// Spec implements capture.Driver.
func (Driver) Spec(context.Context, *connector.SpecRequest) (*connector.SpecResponse, error) {
	return &connector.SpecResponse{
		ConfigSchema:         configSchema,
		ResourceConfigSchema: resourceSchema,
		DocumentationURL:     "https://go.estuary.dev/source-postgresql",
		ResourcePathPointers: []string{"/namespace", "/stream"},
	}, nil
}

// Discover implements capture.Driver: a binding per table with a primary key.
func (Driver) Discover(ctx context.Context, req *connector.Discover) (*connector.Discovered, error) {
	cfg, conn, err := connect(ctx, req.Config)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	tables, err := listTables(ctx, conn, cfg.Advanced.WatermarksTable)
	if err != nil {
		return nil, err
	}
	out := &connector.Discovered{}
	for _, t := range tables {
		if len(t.key) == 0 {
			continue // keyless tables cannot be backfilled by key; not offered
		}
		out.Bindings = append(out.Bindings, connector.DiscoveredBinding{
			RecommendedName: t.schema + "/" + t.name,
			ResourceConfig:  capture.MustJSON(resource{Namespace: t.schema, Stream: t.name}),
			DocumentSchema:  capture.MustJSON(t.documentSchema()),
			Key:             t.keyPointers(),
			ResourcePath:    []string{t.schema, t.name},
		})
	}
	return out, nil
}

// Validate implements capture.Driver: every bound table must exist and have a primary key.
func (Driver) Validate(ctx context.Context, req *connector.CaptureValidate) (*connector.CaptureValidated, error) {
	_, conn, err := connect(ctx, req.Config)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	out := &connector.CaptureValidated{}
	for i, b := range req.Bindings {
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return nil, err
		}
		if _, err := resolveTable(ctx, conn, res); err != nil {
			return nil, fmt.Errorf("binding %d: %w", i, err)
		}
		out.Bindings = append(out.Bindings, connector.CaptureValidatedBinding{ResourcePath: []string{res.Namespace, res.Stream}})
	}
	return out, nil
}

func resolveTable(ctx context.Context, conn *pgx.Conn, res resource) (*table, error) {
	t, err := lookupTable(ctx, conn, res.Namespace, res.Stream)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("table %s.%s does not exist: check namespace and stream, or run discover again", res.Namespace, res.Stream)
	}
	if len(t.key) == 0 {
		return nil, fmt.Errorf("table %s has no primary key: add one (ALTER TABLE ... ADD PRIMARY KEY) to capture it", t.id())
	}
	return t, nil
}

func connect(ctx context.Context, raw json.RawMessage) (*config, *pgx.Conn, error) {
	cfg, err := parseConfig(raw)
	if err != nil {
		return nil, nil, err
	}
	conn, err := pgx.Connect(ctx, cfg.connString())
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to PostgreSQL at %s as %s, database %s: %w", cfg.Address, cfg.User, cfg.Database, err)
	}
	return cfg, conn, nil
}
