package runtime

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

// deriveTxnDocs bounds the source documents of one derivation transaction.
const deriveTxnDocs = 10_000

// runDerivation runs a derivation shard until it fails, or stop ends and it has committed the
// documents already read. The engine commits its state with the shard checkpoint, so the two never
// disagree.
func runDerivation(ctx, stop context.Context, env *shardEnv, c *catalog.BuiltCollection, stats *statsCell) error {
	if env.openDerive == nil {
		return fmt.Errorf("derivation %s: this runtime has no derivation engine", c.Name)
	}
	store, err := OpenRecoveryStore(env.dataDir, TaskDerivation, c.Name)
	if err != nil {
		return err
	}
	engine, err := env.openDerive(ctx, c, store.Dir())
	if err != nil {
		return fmt.Errorf("derivation %s: %w", c.Name, err)
	}
	defer engine.Close()
	raw, err := engine.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("derivation %s: %w", c.Name, err)
	}
	cp := &ShardCheckpoint{}
	if raw != nil {
		if cp, err = DecodeCheckpoint(raw); err != nil {
			return fmt.Errorf("derivation %s: %w", c.Name, err)
		}
	}
	pub, err := recoverPublisher(ctx, env.client, cp, env.now)
	if err != nil {
		return fmt.Errorf("derivation %s: %w", c.Name, err)
	}
	router, err := NewCollectionWriter(c, store.Dir())
	if err != nil {
		return err
	}
	sources, transforms := DeriveSources(c)
	reader, err := NewReader(ctx, ReaderOptions{Client: env.client, Sources: sources, Checkpoint: cp.Sources,
		Now: env.now, Wake: env.notifier.C})
	if err != nil {
		return fmt.Errorf("derivation %s: %w", c.Name, err)
	}
	defer reader.Close()

	commit := func(cp *ShardCheckpoint) error {
		b, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		return engine.Commit(ctx, b)
	}
	var n int
	txn := newTxnStats(transformBindings(c))
	for {
		seq := env.notifier.Seq()
		// Once stopping, read no more: commit what was read, then return.
		if stop.Err() == nil {
			d, ok, err := reader.Poll(ctx)
			if err != nil {
				return fmt.Errorf("derivation %s: %w", c.Name, err)
			}
			if ok {
				if err := engine.Read(ctx, transforms[d.Source], d); err != nil {
					return fmt.Errorf("derivation %s: transform %s: document at %s:%d: %w",
						c.Name, c.Derivation.Transforms[transforms[d.Source]].Name, d.Journal, d.Begin, err)
				}
				n++
				txn.sourceRead(transforms[d.Source], len(d.Raw), d.UUID.PublishedAt())
				if n < deriveTxnDocs {
					continue
				}
			}
		}
		if n > 0 {
			txn.startCommit()
			txn.countPublished(engine)
			var out []journal.Document
			var enc drainEncoder
			if err := engine.DrainNodes(func(d doc.Drained) error {
				published, err := router.encode(&enc, d)
				out = append(out, published)
				return err
			}); err != nil {
				return fmt.Errorf("derivation %s: %w", c.Name, err)
			}
			cp.Sources = reader.Checkpoint()
			pubd, err := CommitTransaction(ctx, env.client, pub, out, cp, commit)
			if err != nil {
				return fmt.Errorf("derivation %s: %w", c.Name, err)
			}
			txn.out.add(pubd.Docs, pubd.Bytes)
			stats.commit(txn)
			n = 0
			txn.reset()
			continue
		}
		if stop.Err() != nil {
			return nil
		}
		if caughtUp, err := caughtUp(ctx, reader); err != nil {
			return fmt.Errorf("derivation %s: %w", c.Name, err)
		} else if caughtUp {
			stats.update(func(t *TaskStats) { t.Idle, t.idleSeq, t.LagSeconds = true, seq, 0 })
		}
		if err := reader.Wait(stop); stop.Err() != nil {
			continue // stopping: commits nothing more, and stays idle
		} else if err != nil {
			return fmt.Errorf("derivation %s: %w", c.Name, err)
		}
		stats.update(func(t *TaskStats) { t.Idle = false })
	}
}
