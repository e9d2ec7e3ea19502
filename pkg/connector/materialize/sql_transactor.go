package materialize

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// sqlTransactor is one session of a SQL materialization: a fenced key range, staged loads, and
// one database transaction per runtime transaction holding its stores and checkpoint.
type sqlTransactor struct {
	d           *sqlDriver
	db          *sql.DB
	conn        *sql.Conn
	name        string
	rng         connector.RangeSpec
	hardDelete  bool
	checkpoints string
	fence       int64
	bindings    []*sqlBinding
	tx          *sql.Tx                 // open from the first store until commit
	txStmts     map[*sql.Stmt]*sql.Stmt // statements bound to tx, as Tx.Stmt re-prepares on every call
}

// sqlBinding holds a binding's statements and the rows pending for them.
type sqlBinding struct {
	table   string // quoted
	delta   bool
	keys    int
	cols    []column
	convert []func(any) any // per column: keys, values, then the document
	insert  *rowBatch       // new rows, and every row of a delta-updates table
	upsert  *rowBatch       // rows that exist
	delete  *sql.Stmt
	// stage holds the keys to load, inserted at flush into a temporary table joined once with
	// the target table by loadQuery.
	stage      *rowBatch
	loadQuery  string
	clearStage string
}

// setup creates tables, installs the fence and prepares statements, returning the checkpoint
// the endpoint holds for this range.
func (t *sqlTransactor) setup(ctx context.Context, spec *connector.MaterializationSpec, schema string) (*connector.Checkpoint, error) {
	stmts, err := t.d.ddl(spec, schema)
	if err != nil {
		return nil, err
	}
	for _, s := range stmts {
		if _, err := t.conn.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	cp, err := t.installFence(ctx)
	if err != nil {
		return nil, err
	}
	for i := range spec.Bindings {
		b, err := t.prepare(ctx, i, &spec.Bindings[i], schema)
		if err != nil {
			return nil, err
		}
		t.bindings = append(t.bindings, b)
	}
	return cp, nil
}

// installFence increments the fence of every checkpoint row overlapping this range, so that
// older sessions can no longer commit, and reads the narrowest covering checkpoint (which may be
// a parent range's, after a split).
func (t *sqlTransactor) installFence(ctx context.Context) (*connector.Checkpoint, error) {
	ph := t.d.dialect.placeholder
	tx, err := t.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	begin, end := int64(t.rng.KeyBegin), int64(t.rng.KeyEnd)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(
		`UPDATE %s SET fence = fence + 1 WHERE materialization = %s AND key_end >= %s AND key_begin <= %s`,
		t.checkpoints, ph(0), ph(1), ph(2)), t.name, begin, end); err != nil {
		return nil, fmt.Errorf("fencing: %w", err)
	}
	var rowBegin, rowEnd int64
	var encoded string
	err = tx.QueryRowContext(ctx, fmt.Sprintf(
		`SELECT fence, key_begin, key_end, checkpoint FROM %s WHERE materialization = %s AND key_begin <= %s AND key_end >= %s
		 ORDER BY key_end - key_begin ASC LIMIT 1`, t.checkpoints, ph(0), ph(1), ph(2)), t.name, begin, end).
		Scan(&t.fence, &rowBegin, &rowEnd, &encoded)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.fence = 1
	case err != nil:
		return nil, fmt.Errorf("reading the checkpoint: %w", err)
	}
	if err != nil || rowBegin != begin || rowEnd != end {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(
			`INSERT INTO %s (materialization, key_begin, key_end, fence, checkpoint) VALUES (%s, %s, %s, %s, %s)`,
			t.checkpoints, ph(0), ph(1), ph(2), ph(3), ph(4)), t.name, begin, end, t.fence, encoded); err != nil {
			return nil, fmt.Errorf("recording the checkpoint row: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return decodeCheckpoint(encoded)
}

// Checkpoints are stored as base64 of their JSON codec form.
func encodeCheckpoint(cp *connector.Checkpoint) (string, error) {
	if cp == nil {
		cp = &connector.Checkpoint{}
	}
	b, err := json.Marshal(cp)
	return base64.StdEncoding.EncodeToString(b), err
}

func decodeCheckpoint(s string) (*connector.Checkpoint, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the stored checkpoint is not base64: %w", err)
	}
	cp := &connector.Checkpoint{}
	if err := json.Unmarshal(b, cp); err != nil {
		return nil, fmt.Errorf("the stored checkpoint is not flowctl's JSON form (%v); if Estuary's connector wrote this "+
			"table it holds a protobuf checkpoint, which flowctl cannot resume from: delete this materialization's "+
			"row of flow_checkpoints_v1 to start over", err)
	}
	return cp, nil
}

func (t *sqlTransactor) prepare(ctx context.Context, i int, b *connector.MaterializationBinding, schema string) (*sqlBinding, error) {
	d := t.d.dialect
	table, r, err := d.tableOf(b, schema)
	if err != nil {
		return nil, err
	}
	cols, err := d.tableColumns(b)
	if err != nil {
		return nil, err
	}
	nk := len(b.FieldSelection.Keys)
	sb := &sqlBinding{table: table, delta: r.DeltaUpdates, keys: nk, cols: cols}
	if !sb.delta && b.FieldSelection.Document == "" {
		return nil, fmt.Errorf("binding of %s: a standard-updates table needs the document field (flow_document) to load documents; select it or set delta_updates", b.Collection.Name)
	}
	var idents, keyIdents, sets, delWhere, stageCols, join []string
	for j, c := range cols {
		idents = append(idents, c.ident)
		sb.convert = append(sb.convert, valueConverter(c.sqlType))
		if j < nk {
			keyIdents = append(keyIdents, c.ident)
			delWhere = append(delWhere, fmt.Sprintf("%s = %s", c.ident, d.placeholder(j)))
			stageCols = append(stageCols, c.ident+" "+c.sqlType)
			join = append(join, fmt.Sprintf("l.%s = r.%s", c.ident, c.ident))
		} else {
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", c.ident, c.ident))
		}
	}
	insert := fmt.Sprintf("INSERT INTO %s (%s)", table, strings.Join(idents, ", "))
	if sb.insert, err = newRowBatch(ctx, t.conn, d, insert, "", len(cols)); err != nil {
		return nil, err
	}
	if sb.delta {
		return sb, nil
	}
	// A stored row that exists was loaded, so it conflicts: this updates it, a batch at a time.
	// sets is never empty, as a standard-updates table has the document column.
	suffix := fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(keyIdents, ", "), strings.Join(sets, ", "))
	if sb.upsert, err = newRowBatch(ctx, t.conn, d, insert, suffix, len(cols)); err != nil {
		return nil, err
	}
	del := fmt.Sprintf("DELETE FROM %s WHERE %s", table, strings.Join(delWhere, " AND "))
	if sb.delete, err = t.conn.PrepareContext(ctx, del); err != nil {
		return nil, fmt.Errorf("preparing %s: %w", del, err)
	}
	stage := fmt.Sprintf("flow_load_keys_%d", i)
	if _, err := t.conn.ExecContext(ctx, fmt.Sprintf("CREATE TEMPORARY TABLE IF NOT EXISTS %s (%s)", stage, strings.Join(stageCols, ", "))); err != nil {
		return nil, fmt.Errorf("creating the load table: %w", err)
	}
	if sb.stage, err = newRowBatch(ctx, t.conn, d, "INSERT INTO "+stage, "", nk); err != nil {
		return nil, err
	}
	docIdent := d.quote(b.FieldSelection.Document)
	sb.loadQuery = fmt.Sprintf("SELECT r.%s FROM %s AS l JOIN %s AS r ON %s", docIdent, stage, table, strings.Join(join, " AND "))
	sb.clearStage = "DELETE FROM " + stage
	return sb, nil
}

func (t *sqlTransactor) binding(i int) (*sqlBinding, error) {
	if i < 0 || i >= len(t.bindings) {
		return nil, fmt.Errorf("binding %d does not exist (the task has %d)", i, len(t.bindings))
	}
	return t.bindings[i], nil
}

func (t *sqlTransactor) load(i int, key []any) error {
	b, err := t.binding(i)
	if err != nil {
		return err
	}
	if b.delta {
		return fmt.Errorf("load of binding %d, which is in delta-updates mode", i)
	}
	if t.tx != nil { // its stores are uncommitted, and loads must read committed rows only
		return fmt.Errorf("load of binding %d after a store of the same transaction: the runtime must send a transaction's loads and flush before its stores", i)
	}
	if len(key) != b.keys {
		return fmt.Errorf("load of binding %d has %d key fields, the table has %d", i, len(key), b.keys)
	}
	for j, v := range key {
		b.stage.args = append(b.stage.args, b.convert[j](v))
	}
	return nil
}

// flush stages the loaded keys in temporary tables and joins each with its target table.
func (t *sqlTransactor) flush(ctx context.Context, loaded func(int, json.RawMessage) error) error {
	for i, b := range t.bindings {
		if b.delta || b.stage.pendingRows() == 0 {
			continue
		}
		if err := t.loadBinding(ctx, i, b, loaded); err != nil {
			return fmt.Errorf("materialization %s: loading binding %d: %w", t.name, i, err)
		}
	}
	return nil
}

func (t *sqlTransactor) loadBinding(ctx context.Context, i int, b *sqlBinding, loaded func(int, json.RawMessage) error) error {
	tx, err := t.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var stage *sql.Stmt // the full staging statement, bound to tx once
	bound := func(s *sql.Stmt) *sql.Stmt {
		if stage == nil {
			stage = tx.StmtContext(ctx, s)
		}
		return stage
	}
	if err := b.stage.exec(ctx, tx, bound, true); err != nil {
		return fmt.Errorf("staging keys: %w", err)
	}
	rows, err := tx.QueryContext(ctx, b.loadQuery)
	if err != nil {
		return err
	}
	var doc sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&doc); err != nil {
			rows.Close()
			return err
		}
		// RawBytes is reused by the next row; the runtime keeps the document.
		if err := loaded(i, json.RawMessage(string(doc))); err != nil {
			rows.Close()
			return err
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, b.clearStage); err != nil {
		return err
	}
	return tx.Commit()
}

func (t *sqlTransactor) store(i int, r row) error {
	b, err := t.binding(i)
	if err != nil {
		return err
	}
	key, values, err := r.fields()
	if err != nil {
		return fmt.Errorf("store of binding %d: %w", i, err)
	}
	if len(key) != b.keys {
		return fmt.Errorf("store of binding %d has %d key fields, the table has %d", i, len(key), b.keys)
	}
	if t.tx == nil {
		if t.tx, err = t.conn.BeginTx(context.Background(), nil); err != nil {
			return err
		}
		t.txStmts = map[*sql.Stmt]*sql.Stmt{}
	}
	var batch *rowBatch
	switch {
	case b.delta:
		batch = b.insert
	case r.Delete && t.hardDelete:
		if !r.Exists {
			return nil // nothing stored to delete
		}
		return t.deleteRow(i, b, key)
	case r.Exists:
		batch = b.upsert
	default:
		batch = b.insert
	}
	for j, v := range key {
		batch.args = append(batch.args, b.convert[j](v))
	}
	for j, v := range values {
		batch.args = append(batch.args, b.convert[b.keys+j](v))
	}
	if len(r.Doc) > 0 {
		batch.args = append(batch.args, string(r.Doc))
	}
	if err := batch.exec(context.Background(), t.tx, t.boundStmt, false); err != nil {
		return t.storeError(i, b, err)
	}
	return nil
}

// boundStmt returns s bound to the open transaction, binding it once (Tx.Stmt re-prepares a
// statement of a Conn on every call).
func (t *sqlTransactor) boundStmt(s *sql.Stmt) *sql.Stmt {
	bound, ok := t.txStmts[s]
	if !ok {
		bound = t.tx.Stmt(s)
		t.txStmts[s] = bound
	}
	return bound
}

func (t *sqlTransactor) deleteRow(i int, b *sqlBinding, key []any) error {
	args := make([]any, len(key))
	for j, v := range key {
		args[j] = b.convert[j](v)
	}
	if _, err := t.boundStmt(b.delete).Exec(args...); err != nil {
		return fmt.Errorf("materialization %s: deleting from binding %d: %w", t.name, i, err)
	}
	return nil
}

// storeError describes a failed store of binding i, naming the field and value when one
// value is what the database rejected.
func (t *sqlTransactor) storeError(i int, b *sqlBinding, err error) error {
	if be, ok := errors.AsType[*batchError](err); ok {
		if rejected := t.rejectedValue(b, be.args); rejected != nil {
			err = rejected
		}
	}
	return fmt.Errorf("materialization %s: storing to binding %d (table %s): %w", t.name, i, b.table, err)
}

// commit writes the checkpoint, guarded by the fence, as the last statement of the stores'
// transaction, so rows and checkpoint commit together or not at all.
func (t *sqlTransactor) commit(ctx context.Context, cp *connector.Checkpoint) error {
	if t.tx == nil {
		var err error
		if t.tx, err = t.conn.BeginTx(ctx, nil); err != nil {
			return err
		}
		t.txStmts = map[*sql.Stmt]*sql.Stmt{}
	}
	tx := t.tx
	defer func() {
		_ = tx.Rollback()
		t.tx, t.txStmts = nil, nil
	}()
	for i, b := range t.bindings { // execute the rows still pending
		for _, batch := range []*rowBatch{b.insert, b.upsert} {
			if batch == nil {
				continue
			}
			if err := batch.exec(ctx, tx, t.boundStmt, true); err != nil {
				return t.storeError(i, b, err)
			}
		}
	}
	encoded, err := encodeCheckpoint(cp)
	if err != nil {
		return err
	}
	ph := t.d.dialect.placeholder
	res, err := tx.ExecContext(ctx, fmt.Sprintf(
		`UPDATE %s SET checkpoint = %s WHERE materialization = %s AND key_begin = %s AND key_end = %s AND fence = %s`,
		t.checkpoints, ph(0), ph(1), ph(2), ph(3), ph(4)),
		encoded, t.name, int64(t.rng.KeyBegin), int64(t.rng.KeyEnd), t.fence)
	if err != nil {
		return fmt.Errorf("materialization %s: updating the checkpoint: %w", t.name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("materialization %s: this instance was fenced off: another session of the same task and key range opened since (fence %d is stale); it must stop so the newer one can proceed", t.name, t.fence)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("materialization %s: committing: %w", t.name, err)
	}
	return nil
}

func (t *sqlTransactor) close() error {
	if t.tx != nil {
		_ = t.tx.Rollback()
	}
	var errs []error
	for _, b := range t.bindings {
		for _, batch := range []*rowBatch{b.insert, b.upsert, b.stage} {
			if batch != nil {
				errs = append(errs, batch.close())
			}
		}
		if b.delete != nil {
			errs = append(errs, b.delete.Close())
		}
	}
	return errors.Join(append(errs, t.conn.Close(), t.db.Close())...)
}
