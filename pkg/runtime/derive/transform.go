package derive

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
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
		out.statements = append(out.statements, &statement{sql: s, stmt: stmt, params: params})
	}
	return out, nil
}

// run executes the statements in order on src, passing every returned row's document to publish.
func (t *transform) run(ctx context.Context, src *Source, publish func(stmt int, doc any) error, derivation string) error {
	for i, s := range t.statements {
		if err := s.query(ctx, src, func(d any) error { return publish(i, d) }); err != nil {
			if _, ok := err.(*LambdaError); ok {
				return err
			}
			return &LambdaError{Derivation: derivation, Transform: t.name, Statement: i + 1, SQL: s.sql,
				Source: src.documentJSON(), Err: err}
		}
	}
	return nil
}

func (s *statement) query(ctx context.Context, src *Source, publish func(any) error) error {
	args := make([]any, len(s.params))
	for i, p := range s.params {
		// Positional: SQLite numbers named parameters by first appearance, the order of params.
		// (database/sql refuses names that do not start with a letter, like `$_meta$op`.)
		args[i] = p.bind(src)
	}
	rows, err := s.stmt.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if s.output == nil {
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		shape := newOutputShape(cols, s.params)
		s.output = &shape
	}
	width := len(s.output.properties)
	if s.output.whole {
		width = 1
	}
	values := make([]any, width)
	ptrs := make([]any, width)
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := publish(s.output.document(values)); err != nil {
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
