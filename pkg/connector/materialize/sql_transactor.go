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

// sqlBinding holds a binding's statements and the keys staged for loading.
type sqlBinding struct {
	delta      bool
	keys       int
	insert     *sql.Stmt
	update     *sql.Stmt
	delete     *sql.Stmt
	stageKey   *sql.Stmt
	loadQuery  string
	clearStage string
	staged     [][]any
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
		return nil, fmt.Errorf("the stored checkpoint is not a checkpoint: %w", err)
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
	sb := &sqlBinding{delta: r.DeltaUpdates, keys: nk}
	if !sb.delta && b.FieldSelection.Document == "" {
		return nil, fmt.Errorf("binding of %s: a standard-updates table needs the document field (flow_document) to load documents; select it or set delta_updates", b.Collection.Name)
	}
	var idents, marks, sets, where []string
	for j, c := range cols {
		idents = append(idents, c.ident)
		marks = append(marks, d.placeholder(j))
	}
	for j, c := range cols[nk:] {
		sets = append(sets, fmt.Sprintf("%s = %s", c.ident, d.placeholder(j)))
	}
	for j, c := range cols[:nk] {
		where = append(where, fmt.Sprintf("%s = %s", c.ident, d.placeholder(len(cols)-nk+j)))
	}
	prep := func(q string) (*sql.Stmt, error) {
		s, err := t.conn.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("preparing %s: %w", q, err)
		}
		return s, nil
	}
	if sb.insert, err = prep(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(idents, ", "), strings.Join(marks, ", "))); err != nil {
		return nil, err
	}
	if sb.delta {
		return sb, nil
	}
	if len(sets) > 0 {
		if sb.update, err = prep(fmt.Sprintf("UPDATE %s SET %s WHERE %s", table, strings.Join(sets, ", "), strings.Join(where, " AND "))); err != nil {
			return nil, err
		}
	}
	var delWhere, stageCols, join []string
	for j, c := range cols[:nk] {
		delWhere = append(delWhere, fmt.Sprintf("%s = %s", c.ident, d.placeholder(j)))
		stageCols = append(stageCols, c.ident+" "+c.sqlType)
		join = append(join, fmt.Sprintf("l.%s = r.%s", c.ident, c.ident))
	}
	if sb.delete, err = prep(fmt.Sprintf("DELETE FROM %s WHERE %s", table, strings.Join(delWhere, " AND "))); err != nil {
		return nil, err
	}
	stage := fmt.Sprintf("flow_load_keys_%d", i)
	if _, err := t.conn.ExecContext(ctx, fmt.Sprintf("CREATE TEMPORARY TABLE IF NOT EXISTS %s (%s)", stage, strings.Join(stageCols, ", "))); err != nil {
		return nil, fmt.Errorf("creating the load table: %w", err)
	}
	if sb.stageKey, err = prep(fmt.Sprintf("INSERT INTO %s VALUES (%s)", stage, strings.Join(marks[:nk], ", "))); err != nil {
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
	if len(key) != b.keys {
		return fmt.Errorf("load of binding %d has %d key fields, the table has %d", i, len(key), b.keys)
	}
	b.staged = append(b.staged, key)
	return nil
}

// flush stages the loaded keys in temporary tables and joins them with the target tables.
func (t *sqlTransactor) flush(ctx context.Context, loaded func(int, json.RawMessage) error) error {
	for i, b := range t.bindings {
		if len(b.staged) == 0 {
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
	stage := tx.StmtContext(ctx, b.stageKey)
	args := make([]any, b.keys)
	for _, key := range b.staged {
		for j, v := range key {
			args[j] = sqlValue(v)
		}
		if _, err := stage.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	b.staged = b.staged[:0]
	rows, err := tx.QueryContext(ctx, b.loadQuery)
	if err != nil {
		return err
	}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			rows.Close()
			return err
		}
		if err := loaded(i, json.RawMessage(doc)); err != nil {
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

func (t *sqlTransactor) store(i int, r *row) error {
	b, err := t.binding(i)
	if err != nil {
		return err
	}
	if len(r.key) != b.keys {
		return fmt.Errorf("store of binding %d has %d key fields, the table has %d", i, len(r.key), b.keys)
	}
	if t.tx == nil {
		if t.tx, err = t.conn.BeginTx(context.Background(), nil); err != nil {
			return err
		}
		t.txStmts = map[*sql.Stmt]*sql.Stmt{}
	}
	args := make([]any, 0, len(r.key)+len(r.values)+1)
	for _, v := range r.values {
		args = append(args, sqlValue(v))
	}
	if len(r.doc) > 0 {
		args = append(args, string(r.doc))
	}
	keyArgs := make([]any, len(r.key))
	for j, v := range r.key {
		keyArgs[j] = sqlValue(v)
	}
	var stmt *sql.Stmt
	switch {
	case b.delta:
		stmt, args = b.insert, append(keyArgs, args...)
	case r.delete && t.hardDelete:
		if !r.exists {
			return nil // nothing stored to delete
		}
		stmt, args = b.delete, keyArgs
	case r.exists && b.update != nil:
		stmt, args = b.update, append(args, keyArgs...)
	case r.exists:
		return nil // a keys-only table: the row is already there
	default:
		stmt, args = b.insert, append(keyArgs, args...)
	}
	bound, ok := t.txStmts[stmt]
	if !ok {
		bound = t.tx.Stmt(stmt)
		t.txStmts[stmt] = bound
	}
	if _, err := bound.Exec(args...); err != nil {
		return fmt.Errorf("materialization %s: storing to binding %d: %w", t.name, i, err)
	}
	return nil
}

// commit writes the checkpoint, guarded by the fence, as the last statement of the stores'
// transaction, so rows and checkpoint commit together or not at all.
func (t *sqlTransactor) commit(ctx context.Context, cp *connector.Checkpoint) error {
	tx := t.tx
	t.tx = nil
	if tx == nil {
		var err error
		if tx, err = t.conn.BeginTx(ctx, nil); err != nil {
			return err
		}
	}
	defer func() { _ = tx.Rollback() }()
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
	for _, b := range t.bindings {
		for _, s := range []*sql.Stmt{b.insert, b.update, b.delete, b.stageKey} {
			if s != nil {
				_ = s.Close()
			}
		}
	}
	return errors.Join(t.conn.Close(), t.db.Close())
}
