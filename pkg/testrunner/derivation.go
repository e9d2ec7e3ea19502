package testrunner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// derivation is a derived collection under test: its SQLite engine, the runtime's source reader
// over the collections' journals, and the publisher of its documents.
type derivation struct {
	engine     *derive.Engine
	reader     *runtime.Reader
	sources    []runtime.Source
	transforms []int // the transform index of each source
	writer     *runtime.CollectionWriter
	pub        *journal.Publisher
	// pending are the clocks at which writes to its sources become readable (publish clock plus
	// read delay), as Flow's test driver tracks them; none pending means nothing more to read.
	pending    []journal.Clock
	discovered int // the runner's journal generation the reader last discovered
}

// openDerivation opens the engine (in memory) and the reader of a SQLite derivation.
func (r *Runner) openDerivation(ctx context.Context, c *catalog.BuiltCollection, producer journal.ProducerID) (*derivation, error) {
	if c.Derivation.Def == nil || c.Derivation.Def.Using.SQLite == nil {
		return nil, fmt.Errorf("derivation %s does not use SQLite; flowctl test runs only SQLite derivations", c.Name)
	}
	writer, err := r.writer(c)
	if err != nil {
		return nil, err
	}
	engine, err := derive.Open(ctx, c, derive.MemoryPath)
	if err != nil {
		return nil, err
	}
	d := &derivation{engine: engine, writer: writer, pub: journal.NewPublisher(r.client, producer, 0, r.now)}
	d.sources, d.transforms = runtime.DeriveSources(c)
	if d.reader, err = r.newReader(ctx, d.sources); err != nil {
		engine.Close()
		return nil, fmt.Errorf("derivation %s: %w", c.Name, err)
	}
	return d, nil
}

func (d *derivation) close() {
	d.reader.Close()
	d.engine.Close()
}

// takeDue drops the pending reads that are ready at now, and reports whether there were any.
func (d *derivation) takeDue(now journal.Clock) bool {
	before := len(d.pending)
	d.pending = slices.DeleteFunc(d.pending, func(at journal.Clock) bool { return at <= now })
	return len(d.pending) < before
}

// transaction reads every source document ready now, in the reader's order (priority, then
// publish clock plus read delay), and commits what the lambdas published with the engine's
// state and the read checkpoint, as a derivation shard does. It reports false when nothing
// was ready.
func (r *Runner) transaction(ctx context.Context, d *derivation) (bool, error) {
	if err := r.discover(ctx, d.reader, &d.discovered); err != nil {
		return false, err
	}
	name := d.engine.Collection().Name
	n := 0
	for {
		sd, ok, err := d.reader.Poll(ctx)
		if err != nil {
			return false, fmt.Errorf("derivation %s: %w", name, err)
		} else if !ok {
			break
		}
		if err := d.engine.Read(ctx, d.transforms[sd.Source], &derive.Source{Raw: sd.Raw, UUID: sd.UUID}); err != nil {
			return false, fmt.Errorf("document at %s:%d: %w", sd.Journal, sd.Begin, err)
		}
		n++
	}
	if n == 0 {
		return false, nil
	}
	var out []journal.Document
	err := d.engine.Drain(func(published map[string]any) error {
		j, err := d.writer.JournalOf(published)
		out = append(out, journal.Document{Journal: j, Doc: published})
		return err
	})
	if err != nil {
		return false, err
	}
	commit := func(cp *runtime.ShardCheckpoint) error {
		b, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		if err := d.engine.Commit(ctx, b); err != nil {
			return err
		}
		if r.committed != nil {
			return r.committed(name, out, b)
		}
		return nil
	}
	return true, r.publish(ctx, d.pub, out, &runtime.ShardCheckpoint{Sources: d.reader.Checkpoint()}, commit)
}
