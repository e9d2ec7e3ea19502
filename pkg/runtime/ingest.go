package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// Ingest validates documents (one JSON value per line, or whitespace-separated JSON values) for a
// collection, combines them by key, and publishes them as one transaction. It returns once they are
// durable and committed; on any invalid document nothing is published.
func (r *Runtime) Ingest(ctx context.Context, c *catalog.BuiltCollection, body io.Reader) (int, error) {
	w, err := newCollectionWriter(c, "")
	if err != nil {
		return 0, err
	}
	dec := json.NewDecoder(body)
	dec.UseNumber()
	n := 0
	for {
		var d any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return 0, fmt.Errorf("document %d is not JSON: %w", n+1, err)
		}
		if err := w.Add(d); err != nil {
			return 0, fmt.Errorf("document %d: %w", n+1, err)
		}
		n++
	}
	var docs []journal.Document
	if err := w.Drain(func(d journal.Document) error { docs = append(docs, d); return nil }); err != nil {
		return 0, err
	}
	r.ingestMu.Lock()
	defer r.ingestMu.Unlock()
	if r.ingest == nil {
		id, err := journal.NewProducerID()
		if err != nil {
			return 0, err
		}
		r.ingest = journal.NewPublisher(r.env.client, id, 0, r.opts.Now)
	}
	if err := r.ingest.Publish(ctx, docs); err != nil {
		return 0, err
	}
	return n, nil
}
