package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Table modes in the checkpoint state.
const (
	modeBackfill = "Backfill"
	modeActive   = "Active"
)

// bindingState is one table's entry under bindingStateV1.
type bindingState struct {
	Mode       string   `json:"mode"`
	KeyColumns []string `json:"key_columns"`
	// Scanned is the text form of the last backfilled primary key; absent before the first chunk.
	Scanned []string `json:"scanned,omitempty"`
}

// checkpointState is the connector state: the replication cursor and the tables' progress.
type checkpointState struct {
	Cursor   string                   `json:"cursor,omitempty"`
	Bindings map[string]*bindingState `json:"bindingStateV1,omitempty"`
}

type capturedTable struct {
	binding  int
	stateKey string
	t        *table
	st       *bindingState
}

type puller struct {
	cfg        *config
	conn       *pgx.Conn
	repl       *replStream
	session    *capture.Session
	tables     map[string]*capturedTable // by schema.name
	ordered    []*capturedTable
	relations  map[uint32]relationMsg
	cursor     lsn   // end of the last transaction fully emitted
	unacked    []lsn // cursors of checkpoints not acknowledged yet, oldest first
	txn        beginMsg
	watermark  string // awaited watermark value, "" when streaming freely
	sawMark    bool
	dirtyState map[string]*bindingState
}

// Pull implements capture.Driver.
func (Driver) Pull(ctx context.Context, open *connector.CaptureOpen, session *capture.Session) error {
	cfg, conn, err := connect(ctx, open.Capture.Config)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var prior checkpointState
	if len(open.State) != 0 {
		if err := json.Unmarshal(open.State, &prior); err != nil {
			return fmt.Errorf("invalid connector state %s: %w", open.State, err)
		}
	}
	p := &puller{cfg: cfg, conn: conn, session: session, tables: map[string]*capturedTable{}, relations: map[uint32]relationMsg{}}
	var tables []*table
	for i := range open.Capture.Bindings {
		b := &open.Capture.Bindings[i]
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return err
		}
		t, err := resolveTable(ctx, conn, res)
		if err != nil {
			return fmt.Errorf("binding %d: %w", i, err)
		}
		ct := &capturedTable{binding: i, stateKey: capture.StateKey(b), t: t}
		if st := prior.Bindings[ct.stateKey]; st != nil && st.Mode != "" {
			ct.st = st
		} else {
			ct.st = &bindingState{Mode: modeBackfill, KeyColumns: t.key}
		}
		p.tables[t.id()] = ct
		p.ordered = append(p.ordered, ct)
		tables = append(tables, t)
	}
	slotPos, err := prepare(ctx, conn, cfg, tables)
	if err != nil {
		return err
	}
	p.cursor = slotPos
	if prior.Cursor != "" {
		if p.cursor, err = parseLSN(prior.Cursor); err != nil {
			return fmt.Errorf("invalid cursor in connector state: %w", err)
		}
	}
	if p.repl, err = startReplication(ctx, cfg.connString(), cfg.Advanced.SlotName, cfg.Advanced.PublicationName, p.cursor); err != nil {
		return err
	}
	defer p.repl.close(context.Background())
	if err := session.Opened(true); err != nil {
		return err
	}
	for _, ct := range p.ordered {
		for ct.st.Mode == modeBackfill {
			if err := p.streamToWatermark(ctx); err != nil {
				return err
			}
			if err := p.backfillChunk(ctx, ct); err != nil {
				return err
			}
		}
	}
	return p.stream(ctx)
}

// streamToWatermark writes a fresh watermark and emits the stream up to the transaction that wrote it.
func (p *puller) streamToWatermark(ctx context.Context) error {
	var random [16]byte
	_, _ = rand.Read(random[:])
	p.watermark, p.sawMark = hex.EncodeToString(random[:]), false
	_, err := p.conn.Exec(ctx, "INSERT INTO "+quoteQualified(p.cfg.Advanced.WatermarksTable)+
		" (slot, watermark) VALUES ($1, $2) ON CONFLICT (slot) DO UPDATE SET watermark = EXCLUDED.watermark",
		p.cfg.Advanced.SlotName, p.watermark)
	if err != nil {
		return fmt.Errorf("writing a watermark to %s: %w", p.cfg.Advanced.WatermarksTable, err)
	}
	return p.stream(ctx)
}

// stream emits replicated changes until the awaited watermark's transaction commits, or, with none
// awaited, until ctx ends.
func (p *puller) stream(ctx context.Context) error {
	for {
		if err := p.applyAcks(); err != nil {
			return err
		}
		ev, err := p.repl.next(ctx, 200*time.Millisecond)
		if err != nil {
			return err
		}
		if ev == nil {
			continue
		}
		switch m := ev.msg.(type) {
		case relationMsg:
			p.relations[m.id] = m
		case beginMsg:
			p.txn = m
		case changeMsg:
			if err := p.change(ev.at, m); err != nil {
				return err
			}
		case truncateMsg:
			p.session.Log.Warn("TRUNCATE is not captured: rows removed by it stay in the collection", "relations", m.relationIDs)
		case commitMsg:
			p.cursor = m.endLSN
			if err := p.checkpoint(); err != nil {
				return err
			}
			if p.watermark != "" && p.sawMark {
				p.watermark = ""
				return nil
			}
		}
	}
}

// applyAcks confirms to the server the cursor of every checkpoint the runtime has committed.
func (p *puller) applyAcks() error {
	for {
		select {
		case n := <-p.session.Acks():
			n = min(n, uint32(len(p.unacked)))
			if n == 0 {
				continue
			}
			pos := p.unacked[n-1]
			p.unacked = p.unacked[n:]
			if err := p.repl.confirm(pos); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (p *puller) change(at lsn, m changeMsg) error {
	rel, ok := p.relations[m.relationID]
	if !ok {
		return fmt.Errorf("replication sent a change for relation %d before describing it", m.relationID)
	}
	id := rel.namespace + "." + rel.name
	if id == p.cfg.Advanced.WatermarksTable {
		for i, c := range rel.columns {
			if c.name == "watermark" && i < len(m.new) && string(m.new[i].text) == p.watermark {
				p.sawMark = true
			}
		}
		return nil
	}
	ct := p.tables[id]
	if ct == nil {
		return nil // a published table this capture does not bind
	}
	tuple, keyOnly := m.new, false
	if m.op == 'D' {
		tuple, keyOnly = m.old, true
	}
	doc := map[string]any{}
	values := map[string]string{}
	for i, c := range rel.columns {
		if i >= len(tuple) || tuple[i].kind == 'u' || keyOnly && !ct.t.isKey(c.name) {
			continue
		}
		if tuple[i].kind == 'n' {
			doc[c.name] = nil
			continue
		}
		doc[c.name] = textToJSON(c.typeOID, tuple[i].text)
		values[c.name] = string(tuple[i].text)
	}
	if ct.st.Mode == modeBackfill {
		// Rows above the scanned key are not emitted: the backfill reads them later.
		key := make([]string, len(ct.t.key))
		for i, k := range ct.t.key {
			key[i] = values[k]
		}
		if ct.st.Scanned == nil || compareKeys(ct.t.keyOIDs(), key, ct.st.Scanned) > 0 {
			return nil
		}
	}
	doc["_meta"] = map[string]any{
		"op": map[byte]string{'I': "c", 'U': "u", 'D': "d"}[m.op],
		"source": map[string]any{
			"schema": rel.namespace, "table": rel.name,
			"loc":   []uint64{uint64(p.cursor), uint64(at), uint64(p.txn.finalLSN)},
			"txid":  p.txn.xid,
			"ts_ms": pgEpoch.Add(time.Duration(p.txn.commitTime) * time.Microsecond).UnixMilli(),
		},
	}
	return p.session.Captured(ct.binding, capture.MustJSON(doc))
}

// backfillChunk reads and emits the next chunk of a table after its scanned key.
func (p *puller) backfillChunk(ctx context.Context, ct *capturedTable) error {
	var keyExprs, params []string
	for i, k := range ct.t.key {
		expr := quoteIdent(k)
		if c, _ := ct.t.column(k); isCollatable(c.oid) {
			expr += ` COLLATE "C"` // byte order, which compareKeys reproduces
		}
		keyExprs = append(keyExprs, expr)
		params = append(params, fmt.Sprintf("$%d", i+1))
	}
	sql := "SELECT * FROM " + ct.t.quoted()
	var args [][]byte
	if ct.st.Scanned != nil {
		sql += " WHERE (" + strings.Join(keyExprs, ", ") + ") > (" + strings.Join(params, ", ") + ")"
		for _, v := range ct.st.Scanned {
			args = append(args, []byte(v))
		}
	}
	sql += fmt.Sprintf(" ORDER BY %s LIMIT %d", strings.Join(keyExprs, ", "), p.cfg.Advanced.ChunkSize)
	result := p.conn.PgConn().ExecParams(ctx, sql, args, nil, nil, nil).Read()
	if result.Err != nil {
		return fmt.Errorf("backfilling %s: %w", ct.t.id(), result.Err)
	}
	fields := result.FieldDescriptions
	for _, row := range result.Rows {
		doc := map[string]any{}
		values := map[string]string{}
		for i, f := range fields {
			if row[i] == nil {
				doc[f.Name] = nil
				continue
			}
			doc[f.Name] = textToJSON(f.DataTypeOID, row[i])
			values[f.Name] = string(row[i])
		}
		doc["_meta"] = map[string]any{
			"op": "c",
			"source": map[string]any{"schema": ct.t.schema, "table": ct.t.name, "snapshot": true,
				"loc": []uint64{uint64(p.cursor), 0, 0}},
		}
		if err := p.session.Captured(ct.binding, capture.MustJSON(doc)); err != nil {
			return err
		}
		scanned := make([]string, len(ct.t.key))
		for i, k := range ct.t.key {
			scanned[i] = values[k]
		}
		ct.st.Scanned = scanned
	}
	if len(result.Rows) < p.cfg.Advanced.ChunkSize {
		ct.st.Mode, ct.st.Scanned = modeActive, nil
	}
	p.markDirty(ct)
	return p.checkpoint()
}

func (p *puller) markDirty(ct *capturedTable) {
	if p.dirtyState == nil {
		p.dirtyState = map[string]*bindingState{}
	}
	copied := *ct.st
	p.dirtyState[ct.stateKey] = &copied
}

// checkpoint emits the cursor and the tables whose state changed, as a merge patch.
func (p *puller) checkpoint() error {
	st := checkpointState{Cursor: p.cursor.String(), Bindings: p.dirtyState}
	p.dirtyState = nil
	p.unacked = append(p.unacked, p.cursor)
	return p.session.Checkpoint(st, true)
}
