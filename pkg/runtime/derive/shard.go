package derive

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// ShardDatabase is the file of a derivation shard's database in its shard directory.
const ShardDatabase = "derivation.sqlite"

// OpenShard opens the engine of a derivation shard with its database in dir. It is the
// runtime.OpenDeriveEngine the runtime runs SQLite derivations with.
func OpenShard(ctx context.Context, collection *catalog.BuiltCollection, dir string) (runtime.DeriveEngine, error) {
	e, err := Open(ctx, collection, filepath.Join(dir, ShardDatabase))
	if err != nil {
		return nil, err
	}
	return shardEngine{e}, nil
}

// shardEngine adapts Engine to the runtime's source documents, which arrive undecoded.
type shardEngine struct{ *Engine }

func (s shardEngine) Read(ctx context.Context, transform int, d runtime.SourceDoc) error {
	return s.read(ctx, transform, d.Raw, d.UUID, func(err error) error {
		return fmt.Errorf("derivation %s: source document at %s offset %d: %w", s.collection.Name, d.Journal, d.Begin, err)
	})
}

var (
	_ runtime.OpenDeriveEngine = OpenShard
	_ runtime.PublishCounter   = shardEngine{}
)
