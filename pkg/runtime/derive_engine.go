package runtime

import (
	"context"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
)

// DeriveEngine is what a derivation shard needs of a derivation engine (pkg/runtime/derive's
// SQLite engine is one). The engine owns its transaction: everything Read adds is committed, with
// the shard's encoded checkpoint, by one Commit, so state and read offsets never disagree.
type DeriveEngine interface {
	// Checkpoint returns the encoded ShardCheckpoint last committed (nil if none).
	Checkpoint(ctx context.Context) ([]byte, error)
	// Read runs the transform (an index of the derivation's transforms) on one source document.
	Read(ctx context.Context, transform int, doc SourceDoc) error
	// DrainNodes hands the transaction's published documents, combined by the derived key, to fn;
	// each is valid until fn returns.
	DrainNodes(fn func(published doc.Drained) error) error
	// Commit durably commits the engine's state together with checkpoint, and starts the next
	// transaction.
	Commit(ctx context.Context, checkpoint []byte) error
	Close() error
}

// OpenDeriveEngine opens the engine of a derived collection; dir is the shard's directory in the
// data directory, where the engine keeps its state.
type OpenDeriveEngine func(ctx context.Context, collection *catalog.BuiltCollection, dir string) (DeriveEngine, error)
