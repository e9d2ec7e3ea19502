package derive

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/node"
)

// transform is an enabled transform with its lambda's statements prepared.
type transform struct {
	name       string
	statements []*statement
}

type statement struct {
	sql    string
	stmt   *sql.Stmt
	params []param
	// output is learnt from the first rows the statement returns (columns are fixed once prepared).
	output *outputShape
	// args, values and ptrs are reused from one document to the next.
	args         []any
	values, ptrs []any
}

func prepareTransform(ctx context.Context, conn *sql.Conn, t *catalog.BuiltTransform) (*transform, error) {
	out := &transform{name: t.Name}
	for i, s := range t.Statements {
		params, err := resolveParams(s, t.Source.Projections)
		if err != nil {
			out.close()
			return nil, fmt.Errorf("transform %s statement %d: %w", t.Name, i+1, err)
		}
		stmt, err := conn.PrepareContext(ctx, s)
		if err != nil {
			out.close()
			return nil, fmt.Errorf("transform %s statement %d (%s): %w", t.Name, i+1, abbreviate(s), err)
		}
		out.statements = append(out.statements, &statement{sql: s, stmt: stmt, params: params,
			args: make([]any, len(params))})
	}
	return out, nil
}

// run executes the statements in order on src, passing the JSON of every returned row's
// document to publish.
func (t *transform) run(ctx context.Context, src *reading, publish func(stmt int, doc []byte) error, derivation string) error {
	for i, s := range t.statements {
		// Positional: SQLite numbers named parameters by first appearance, the order of params.
		// (database/sql refuses names that do not start with a letter, like `$_meta$op`.)
		for j := range s.params {
			s.args[j] = s.params[j].bind(src)
		}
		err := s.query(ctx, src.arena, func(d []byte) error { return publish(i, d) })
		clear(s.args) // holds strings of the arena, which the next document reuses
		if err != nil {
			if _, ok := err.(*LambdaError); ok {
				return err
			}
			return &LambdaError{Derivation: derivation, Transform: t.name, Statement: i + 1, SQL: s.sql,
				Source: src.raw, Err: err}
		}
	}
	return nil
}

func (s *statement) query(ctx context.Context, a *node.Arena, publish func([]byte) error) error {
	rows, err := s.stmt.QueryContext(ctx, s.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if s.output == nil {
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		s.output = newOutputShape(cols, s.params)
		s.values = make([]any, len(cols))
		s.ptrs = make([]any, len(cols))
		for i := range s.values {
			s.ptrs[i] = &s.values[i]
		}
	}
	for rows.Next() {
		if err := rows.Scan(s.ptrs...); err != nil {
			return err
		}
		s.output.scratch = s.output.appendDocument(s.output.scratch[:0], a, s.values)
		if err := publish(s.output.scratch); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *transform) close() {
	for _, s := range t.statements {
		s.stmt.Close()
	}
}
