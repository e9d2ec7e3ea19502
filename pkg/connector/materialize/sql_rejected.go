package materialize

import (
	"context"
	"fmt"
	"time"
)

// rejectedValue finds, among the rows of a failed multi-row statement, a value that its
// column's type rejects: it casts each value of a typed column on its own, on another
// connection (the session's transaction is aborted). It returns nil when no single value is
// rejected (the failure was something else). Only failures pay for this.
func (t *sqlTransactor) rejectedValue(b *sqlBinding, args []any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	width := len(b.cols)
	for row := 0; row+width <= len(args); row += width {
		for c, col := range b.cols {
			v := args[row+c]
			if v == nil || col.sqlType == "TEXT" {
				continue
			}
			q := fmt.Sprintf("SELECT CAST(%s AS %s)", t.d.dialect.placeholder(0), col.sqlType)
			if _, err := t.db.ExecContext(ctx, q, v); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("field %q (column type %s) rejects the value %s: %w; "+
					"correct the documents, or the collection's schema that gives the field this type",
					col.field, col.sqlType, quoteValue(v), err)
			}
		}
	}
	return nil
}

// quoteValue shows a parameter in an error, shortened past 100 bytes.
func quoteValue(v any) string {
	s := fmt.Sprintf("%q", fmt.Sprint(v))
	if len(s) > 100 {
		s = s[:100] + `..."`
	}
	return s
}
