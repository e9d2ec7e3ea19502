package testrunner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

// FixtureDoc is one source document of a preview fixture: Flow's `["collection", {doc}]`.
type FixtureDoc struct {
	Collection string
	Doc        map[string]any
}

// ParseFixture decodes Flow's preview fixture format, `[[["collection", {doc}], ...], ...]`: one
// inner array per transaction of source documents.
func ParseFixture(data []byte) ([][]FixtureDoc, error) {
	v, err := doc.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("fixture is not JSON: %w", err)
	}
	txns, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("fixture must be an array of transactions, [[[\"collection\", {document}], ...], ...], not %s", describe(v))
	}
	out := make([][]FixtureDoc, 0, len(txns))
	for i, t := range txns {
		docs, ok := t.([]any)
		if !ok {
			return nil, fmt.Errorf("fixture transaction %d must be an array of [\"collection\", {document}] pairs, not %s", i, describe(t))
		}
		txn := make([]FixtureDoc, 0, len(docs))
		for j, d := range docs {
			pair, ok := d.([]any)
			if !ok || len(pair) != 2 {
				return nil, fmt.Errorf("fixture transaction %d document %d must be a [\"collection\", {document}] pair, not %s", i, j, describe(d))
			}
			name, ok := pair[0].(string)
			if !ok {
				return nil, fmt.Errorf("fixture transaction %d document %d: the collection must be a string, not %s", i, j, describe(pair[0]))
			}
			obj, ok := pair[1].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("fixture transaction %d document %d: the document must be a JSON object, not %s", i, j, describe(pair[1]))
			}
			txn = append(txn, FixtureDoc{Collection: name, Doc: obj})
		}
		out = append(out, txn)
	}
	return out, nil
}

// describe names a JSON value's type for an error message.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// PreviewOptions configure PreviewDerivation.
type PreviewOptions struct {
	// Fixture holds the source documents, one transaction each; nil reads Sources instead.
	Fixture [][]FixtureDoc
	// Sources holds the collections to read when there is no fixture (a read-only journal.Local
	// of a data directory). Published documents are never written to it.
	Sources journal.Client
	// Transactions stops the preview after this many derivation transactions (0: no limit).
	Transactions int
	// Published is called with each transaction's published documents, in key order, and the
	// derivation's checkpoint committed with them.
	Published func(docs []map[string]any, checkpoint []byte) error
}

// errEnough stops a preview that ran its transactions.
var errEnough = errors.New("enough transactions")

// PreviewDerivation runs one SQLite derivation in isolation, as Flow's preview: with a fixture,
// each fixture transaction is committed to the source collections and the derivation runs until
// nothing is left to read (read delays cost no wall time); without one, it reads what the
// sources' journals hold now and stops once caught up.
func PreviewDerivation(ctx context.Context, built *catalog.Built, name string, opts PreviewOptions) error {
	c := built.Collection(name)
	if c == nil || c.Derivation == nil {
		return fmt.Errorf("%s is not a derivation of the catalog", name)
	}
	cfg := runnerConfig{writes: newMemJournalsOf(built), only: name}
	if opts.Fixture == nil {
		if opts.Sources == nil {
			return fmt.Errorf("preview of %s needs a fixture or a data directory to read", name)
		}
		// Documents already written carry real times: read delays count from now.
		cfg.reads, cfg.start = opts.Sources, time.Now()
	}
	r, err := newRunner(ctx, built, cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	ran := 0
	r.committed = func(_ string, published []journal.Document, checkpoint []byte) error {
		docs := make([]map[string]any, len(published))
		for i, d := range published {
			docs[i] = d.Doc
		}
		if opts.Published != nil {
			if err := opts.Published(docs, checkpoint); err != nil {
				return err
			}
		}
		if ran++; opts.Transactions > 0 && ran >= opts.Transactions {
			return errEnough
		}
		return nil
	}
	d := r.derivations[0]
	if opts.Fixture == nil {
		for {
			ok, err := r.transaction(ctx, d)
			if err != nil || !ok {
				return ignoreEnough(err)
			}
		}
	}
	for i, txn := range opts.Fixture {
		if err := r.ingestFixture(ctx, txn); err != nil {
			return fmt.Errorf("fixture transaction %d: %w", i, err)
		}
		for {
			if _, err := r.runReady(ctx); err != nil {
				return ignoreEnough(err)
			}
			if !r.advance() {
				break
			}
		}
	}
	return nil
}

func ignoreEnough(err error) error {
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

// ingestFixture commits one fixture transaction of source documents, as written.
func (r *Runner) ingestFixture(ctx context.Context, txn []FixtureDoc) error {
	docs := make([]journal.Document, 0, len(txn))
	for i, fd := range txn {
		c := r.built.Collection(fd.Collection)
		if c == nil {
			return fmt.Errorf("document %d: %s is not a collection of the catalog", i, fd.Collection)
		}
		w, err := r.writer(c)
		if err != nil {
			return err
		}
		if err := c.WriteSchema.Validate(fd.Doc); err != nil {
			return fmt.Errorf("document %d does not fit collection %s: %w", i, fd.Collection, err)
		}
		name, err := w.JournalOf(fd.Doc)
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		docs = append(docs, journal.Document{Journal: name, Doc: fd.Doc})
	}
	return r.publish(ctx, r.ingest, docs, nil, nil)
}
