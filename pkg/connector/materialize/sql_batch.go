package materialize

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Multi-row statements cut the round trips (PostgreSQL) and cgo calls (SQLite) of one
// statement per row. A full batch uses a statement prepared once per session; the remainder
// at a flush or commit is built for its size.
const (
	batchMaxRows   = 500
	batchMaxParams = 30_000 // under SQLite's 32,766 and PostgreSQL's 65,535 parameters
)

// rowBatch accumulates the parameters of rows for `head VALUES (...), (...) suffix`.
type rowBatch struct {
	head, suffix string
	width        int // parameters per row
	rows         int // rows per full statement
	placeholder  func(int) string
	full         *sql.Stmt
	args         []any
}

func newRowBatch(ctx context.Context, conn *sql.Conn, d *dialect, head, suffix string, width int) (*rowBatch, error) {
	b := &rowBatch{head: head, suffix: suffix, width: width, placeholder: d.placeholder,
		rows: max(1, min(batchMaxRows, batchMaxParams/width))}
	q := b.query(b.rows)
	var err error
	if b.full, err = conn.PrepareContext(ctx, q); err != nil {
		return nil, fmt.Errorf("preparing %s: %w", b.query(1), err)
	}
	return b, nil
}

// query is the statement for n rows.
func (b *rowBatch) query(n int) string {
	var s strings.Builder
	s.WriteString(b.head)
	s.WriteString(" VALUES ")
	for r := range n {
		if r > 0 {
			s.WriteString(", ")
		}
		s.WriteByte('(')
		for c := range b.width {
			if c > 0 {
				s.WriteString(", ")
			}
			s.WriteString(b.placeholder(r*b.width + c))
		}
		s.WriteByte(')')
	}
	s.WriteString(b.suffix)
	return s.String()
}

// pendingRows is the number of rows added and not yet executed.
func (b *rowBatch) pendingRows() int { return len(b.args) / b.width }

// batchError is a failed multi-row statement with the parameters of its rows, so that the
// failure can be traced to a row and field.
type batchError struct {
	args []any
	err  error
}

func (e *batchError) Error() string { return e.err.Error() }
func (e *batchError) Unwrap() error { return e.err }

// exec runs a statement per full batch of pending rows and, if all, one more for the rest.
// bound returns the full statement bound to tx.
func (b *rowBatch) exec(ctx context.Context, tx *sql.Tx, bound func(*sql.Stmt) *sql.Stmt, all bool) error {
	n := b.width * b.rows
	done := 0
	defer func() {
		clear(b.args[:done]) // release documents to the collector
		b.args = append(b.args[:0], b.args[done:]...)
	}()
	for len(b.args)-done >= n {
		chunk := b.args[done : done+n]
		if _, err := bound(b.full).ExecContext(ctx, chunk...); err != nil {
			return &batchError{args: chunk, err: err}
		}
		done += n
	}
	if all && done < len(b.args) {
		rest := b.args[done:]
		if _, err := tx.ExecContext(ctx, b.query(len(rest)/b.width), rest...); err != nil {
			return &batchError{args: rest, err: err}
		}
		done = len(b.args)
	}
	return nil
}

func (b *rowBatch) close() error { return b.full.Close() }
