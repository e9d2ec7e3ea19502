// Package derive runs SQLite derivations as Flow does (flow-spec 5.2): a database per derivation
// with Flow's bookkeeping tables and tracked migrations, lambdas prepared once, `$parameters`
// bound from projections of the source document, every returned row published, and the
// database committed together with the shard's checkpoint.
package derive

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
)

// Source is one document read from a transform's source collection.
type Source struct {
	// Raw is the document's JSON as read: it is decoded for binding and bound as `$flow_document`.
	Raw []byte
	// UUID is the document's /_meta/uuid, whose time is `$flow_published_at`.
	UUID journal.UUID
}

// Engine is the SQLite runtime of one derivation. Documents read in a transaction publish into
// a combiner (validated against the derived collection's write schema and reduced by its key);
// Drain hands them over and Commit makes the database durable with the checkpoint.
// An Engine is not safe for concurrent use.
type Engine struct {
	collection *catalog.BuiltCollection
	path       string
	db         *sql.DB
	conn       *sql.Conn
	transforms []*transform
	byName     map[string]int
	key        []doc.Extractor
	combiner   *doc.Combiner
	// published counts the documents lambdas returned since TakePublished last asked, before
	// combining, and their JSON bytes: Flow's `derive.published` statistics.
	published struct{ docs, bytes int64 }
	// src is the document being read, decoded into arena, which each document reuses.
	src   reading
	arena node.Arena
}

// Open opens the derivation's database at path (MemoryPath for a database in memory),
// bootstraps it, applies new migrations and prepares every enabled transform's lambda.
func Open(ctx context.Context, collection *catalog.BuiltCollection, path string) (*Engine, error) {
	d := collection.Derivation
	if d == nil || d.Def == nil || d.Def.Using.SQLite == nil {
		return nil, fmt.Errorf("collection %s is not a SQLite derivation", collection.Name)
	}
	key, err := doc.KeyExtractors(collection.WriteSchema.Shape(), collection.Key)
	if err != nil {
		return nil, fmt.Errorf("derivation %s: key: %w", collection.Name, err)
	}
	e := &Engine{collection: collection, path: path, key: key, byName: map[string]int{}}
	e.src.arena = &e.arena
	for i, t := range d.Transforms {
		e.byName[t.Name] = i
	}
	if err := e.open(ctx); err != nil {
		return nil, err
	}
	if err := e.resetCombiner(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Engine) open(ctx context.Context) error {
	db, conn, err := openDatabase(ctx, e.path, e.collection.Derivation.Migrations)
	if err != nil {
		return fmt.Errorf("derivation %s: %w", e.collection.Name, err)
	}
	e.db, e.conn = db, conn
	e.transforms = make([]*transform, len(e.collection.Derivation.Transforms))
	for i, t := range e.collection.Derivation.Transforms {
		if t.Disable {
			continue
		}
		prepared, err := prepareTransform(ctx, conn, t)
		if err != nil {
			e.closeDatabase()
			return fmt.Errorf("derivation %s: %w", e.collection.Name, err)
		}
		e.transforms[i] = prepared
	}
	return nil
}

func (e *Engine) resetCombiner() error {
	c, err := doc.NewCombiner(doc.CombinerSpec{Key: e.key, Schema: e.collection.WriteSchema})
	if err != nil {
		return fmt.Errorf("derivation %s: %w", e.collection.Name, err)
	}
	e.combiner = c
	return nil
}

// Collection is the derived collection.
func (e *Engine) Collection() *catalog.BuiltCollection { return e.collection }

// Transform returns the index of the named transform, and false when there is none.
func (e *Engine) Transform(name string) (int, bool) {
	i, ok := e.byName[name]
	return i, ok
}

// Read runs the lambda of transform (an index of the derivation's transforms) on one source
// document and adds every row it returns to the transaction's published documents. A disabled
// transform reads nothing.
func (e *Engine) Read(ctx context.Context, transform int, src *Source) error {
	return e.read(ctx, transform, src.Raw, src.UUID, func(err error) error {
		return fmt.Errorf("derivation %s: source document: %w", e.collection.Name, err)
	})
}

// read is Read of a document's JSON; a document that does not decode is the error that
// decodeErr makes of the decoder's.
func (e *Engine) read(ctx context.Context, transform int, raw []byte, uuid journal.UUID, decodeErr func(error) error) error {
	if transform < 0 || transform >= len(e.transforms) {
		return fmt.Errorf("derivation %s has no transform %d", e.collection.Name, transform)
	}
	t := e.transforms[transform]
	if t == nil {
		return nil
	}
	e.arena.Reset()
	root, err := e.arena.Decode(raw)
	if err != nil {
		return decodeErr(err)
	}
	e.src.root, e.src.raw, e.src.uuid = root, raw, uuid
	defer func() { e.src.raw = nil }() // the caller's buffer, not to be kept
	return t.run(ctx, &e.src, func(stmt int, published []byte) error {
		e.published.docs++
		e.published.bytes += int64(len(published))
		if err := e.combiner.AddJSON(published); err != nil {
			// The error shows the document as doc.Append writes it: as published.
			v, _ := doc.Decode(published)
			return &LambdaError{Derivation: e.collection.Name, Transform: t.name, Statement: stmt + 1,
				SQL: t.statements[stmt].sql, Source: raw, Published: v,
				Err: fmt.Errorf("published document is invalid for collection %s: %w", e.collection.Name, err)}
		}
		return nil
	}, e.collection.Name)
}

// TakePublished returns the documents the lambdas published since it was last called, and their
// JSON bytes, before combining; it implements runtime.PublishCounter.
func (e *Engine) TakePublished() (docs, bytes int64) {
	docs, bytes = e.published.docs, e.published.bytes
	e.published.docs, e.published.bytes = 0, 0
	return docs, bytes
}

// Drain hands the transaction's published documents, combined by key, to fn in key order.
func (e *Engine) Drain(fn func(published map[string]any) error) error {
	return e.DrainNodes(func(d doc.Drained) error {
		published := d.Doc()
		obj, ok := published.(map[string]any)
		if !ok {
			return fmt.Errorf("derivation %s published a %T, not a JSON object", e.collection.Name, published)
		}
		return fn(obj)
	})
}

// DrainNodes is Drain without copying the documents out of the combiner: each is valid until fn
// returns. The runtime encodes them for its journals from there.
func (e *Engine) DrainNodes(fn func(published doc.Drained) error) error {
	if err := e.combiner.Drain(false, fn); err != nil {
		return fmt.Errorf("derivation %s: %w", e.collection.Name, err)
	}
	return nil
}

// Commit writes checkpoint into gazette_checkpoint and commits the transaction, so that the
// derivation's state and the checkpoint become durable together, then opens the next one.
func (e *Engine) Commit(ctx context.Context, checkpoint []byte) error {
	if _, err := e.conn.ExecContext(ctx,
		"INSERT OR REPLACE INTO gazette_checkpoint (rowid, checkpoint) VALUES (0, ?)", checkpoint); err != nil {
		return fmt.Errorf("derivation %s: writing the checkpoint: %w", e.collection.Name, err)
	}
	for _, s := range []string{"COMMIT", "BEGIN EXCLUSIVE"} {
		if _, err := e.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("derivation %s: %s: %w", e.collection.Name, s, err)
		}
	}
	return nil
}

// Checkpoint returns the checkpoint last committed (nil when none was).
func (e *Engine) Checkpoint(ctx context.Context) ([]byte, error) {
	var cp []byte
	err := e.conn.QueryRowContext(ctx, "SELECT checkpoint FROM gazette_checkpoint WHERE rowid = 0").Scan(&cp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("derivation %s: reading the checkpoint: %w", e.collection.Name, err)
	}
	return cp, nil
}

// Reset replaces the database with a fresh one in memory with the migrations applied, and
// drops unpublished documents, as Flow resets a derivation between catalog tests.
func (e *Engine) Reset(ctx context.Context) error {
	e.closeDatabase()
	e.path = MemoryPath
	if err := e.open(ctx); err != nil {
		return err
	}
	return e.resetCombiner()
}

// Close closes the database; an uncommitted transaction is rolled back.
func (e *Engine) Close() error {
	return e.closeDatabase()
}

func (e *Engine) closeDatabase() error {
	for _, t := range e.transforms {
		if t != nil {
			t.close()
		}
	}
	e.transforms = nil
	var errs []error
	if e.conn != nil {
		errs = append(errs, e.conn.Close())
	}
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	e.conn, e.db = nil, nil
	return errors.Join(errs...)
}

// LambdaError is a failure of a lambda on one source document.
type LambdaError struct {
	Derivation, Transform string
	Statement             int // 1-based
	SQL                   string
	Source                []byte
	Published             any // the offending published document, if any
	Err                   error
}

func (e *LambdaError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "derivation %s transform %s statement %d (%s) on source document %s",
		e.Derivation, e.Transform, e.Statement, abbreviate(e.SQL), abbreviate(string(e.Source)))
	if e.Published != nil {
		fmt.Fprintf(&b, " published %s", abbreviate(string(doc.Append(nil, e.Published))))
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *LambdaError) Unwrap() error { return e.Err }

// abbreviate shortens SQL and JSON for messages.
func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
