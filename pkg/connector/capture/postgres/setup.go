package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// prepare makes sure the watermarks table, the publication (holding it and every captured table) and
// the replication slot exist, creating what is missing, and returns the slot's confirmed position.
func prepare(ctx context.Context, conn *pgx.Conn, cfg *config, tables []*table) (lsn, error) {
	wm := quoteQualified(cfg.Advanced.WatermarksTable)
	if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+wm+" (slot TEXT PRIMARY KEY, watermark TEXT NOT NULL)"); err != nil {
		return 0, fmt.Errorf("creating the watermarks table %s: %w (create it yourself or grant CREATE)", cfg.Advanced.WatermarksTable, err)
	}
	pub := cfg.Advanced.PublicationName
	wanted := []string{wm}
	for _, t := range tables {
		wanted = append(wanted, t.quoted())
	}
	var allTables bool
	err := conn.QueryRow(ctx, "SELECT puballtables FROM pg_publication WHERE pubname = $1", pub).Scan(&allTables)
	switch {
	case err == pgx.ErrNoRows:
		if _, err := conn.Exec(ctx, "CREATE PUBLICATION "+quoteIdent(pub)+" FOR TABLE "+strings.Join(wanted, ", ")); err != nil {
			return 0, fmt.Errorf("creating publication %s: %w", pub, err)
		}
	case err != nil:
		return 0, err
	case !allTables:
		for _, name := range wanted {
			var present bool
			if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
				WHERE p.pubname = $1 AND r.prrelid = $2::regclass)`, pub, name).Scan(&present); err != nil {
				return 0, err
			}
			if !present {
				if _, err := conn.Exec(ctx, "ALTER PUBLICATION "+quoteIdent(pub)+" ADD TABLE "+name); err != nil {
					return 0, fmt.Errorf("adding %s to publication %s: %w (add it yourself: ALTER PUBLICATION ... ADD TABLE)", name, pub, err)
				}
			}
		}
	}
	var pos string
	err = conn.QueryRow(ctx, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1", cfg.Advanced.SlotName).Scan(&pos)
	if err == pgx.ErrNoRows {
		err = conn.QueryRow(ctx, "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", cfg.Advanced.SlotName).Scan(&pos)
	}
	if err != nil {
		return 0, fmt.Errorf("preparing replication slot %s: %w", cfg.Advanced.SlotName, err)
	}
	return parseLSN(pos)
}
