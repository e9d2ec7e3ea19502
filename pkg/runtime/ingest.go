package runtime

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// IngestError says which document of an Ingest call does not fit its collection, and why.
type IngestError struct {
	Index int // 0-based, in the order given
	Err   error
}

func (e *IngestError) Error() string { return fmt.Sprintf("document %d: %v", e.Index+1, e.Err) }

func (e *IngestError) Unwrap() error { return e.Err }

// Ingest validates documents for a collection against its write schema, combines them by key, and
// publishes them as one transaction. It returns once they are durable and committed. If any
// document is invalid (an *IngestError names it) nothing is published.
//
// An ingest that fails after appending (its documents, or their ACK) is abandoned with its
// producer: the next ingest publishes under a new ProducerID, so that no later ACK can commit
// the failed ingest's documents, and a retry of it is not a duplicate.
func (r *Runtime) Ingest(ctx context.Context, c *catalog.BuiltCollection, docs []json.RawMessage) error {
	w, err := NewCollectionWriter(c, "")
	if err != nil {
		return err
	}
	for i, raw := range docs {
		if err := w.AddJSON(raw); isNotJSON(err) {
			return &IngestError{Index: i, Err: fmt.Errorf("not JSON: %w", err)}
		} else if err != nil {
			return &IngestError{Index: i, Err: err}
		}
	}
	var out []journal.Document
	if err := w.DrainJSON(func(d journal.Document) error { out = append(out, d); return nil }); err != nil {
		return err
	}
	r.ingestMu.Lock()
	defer r.ingestMu.Unlock()
	if r.ingest == nil {
		id, err := journal.NewProducerID()
		if err != nil {
			return err
		}
		r.ingest = journal.NewPublisher(r.client, id, 0, r.opts.Now)
	}
	if _, err := CommitTransaction(ctx, r.client, r.ingest, out, nil, nil); err != nil {
		r.ingest = nil
		return fmt.Errorf("ingest into %s was not committed: %w", c.Name, err)
	}
	return nil
}
