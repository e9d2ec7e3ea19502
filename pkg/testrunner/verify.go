package testrunner

import (
	"context"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// collectionRead reads what tests write to one verified collection, through the same reader as
// derivations. At a test's start it skips everything written before; it keeps the test's
// documents, in publish order across journals, for every verify step of the test.
type collectionRead struct {
	reader     *runtime.Reader
	written    []runtime.SourceDoc
	discovered int
}

// readNew appends the documents committed since the last read.
func (r *Runner) readNew(ctx context.Context, cr *collectionRead) error {
	if err := r.discover(ctx, cr.reader, &cr.discovered); err != nil {
		return err
	}
	for {
		sd, ok, err := cr.reader.Poll(ctx)
		if err != nil || !ok {
			return err
		}
		cr.written = append(cr.written, sd)
	}
}

// startTest forgets what earlier tests wrote.
func (r *Runner) startTest(ctx context.Context) error {
	for _, cr := range r.verified {
		if err := r.readNew(ctx, cr); err != nil {
			return err
		}
		cr.written = cr.written[:0]
	}
	return nil
}

// verify fully reduces, under the read schema and in key order, the documents of the selected
// partitions written since the test began, and compares them with the expected ones.
func (r *Runner) verify(ctx context.Context, step *catalog.BuiltTestStep) ([]any, []Mismatch, error) {
	c := step.Collection
	cr := r.verified[c.Name]
	if err := r.readNew(ctx, cr); err != nil {
		return nil, nil, err
	}
	key, err := doc.KeyExtractors(c.ReadSchema.Shape(), c.Key)
	if err != nil {
		return nil, nil, err
	}
	combiner, err := doc.NewCombiner(doc.CombinerSpec{Key: key, Schema: c.ReadSchema})
	if err != nil {
		return nil, nil, err
	}
	var sel *journal.Selector
	if step.Partitions != nil {
		sel = &journal.Selector{Include: step.Partitions.Include, Exclude: step.Partitions.Exclude}
	}
	for _, sd := range cr.written {
		if sel != nil {
			ok, err := sel.MatchesJournal(c.Name, sd.Journal)
			if err != nil {
				return nil, nil, fmt.Errorf("selecting partitions: %w", err)
			}
			if !ok {
				continue
			}
		}
		if err := combiner.AddJSON(sd.Raw); err != nil {
			return nil, nil, fmt.Errorf("document %s: %w", sd.Raw, err)
		}
	}
	var actual []any
	err = combiner.Drain(true, func(d doc.Drained) error {
		if !d.Deleted {
			actual = append(actual, d.Doc())
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return actual, compare(step.Documents, actual, key), nil
}
