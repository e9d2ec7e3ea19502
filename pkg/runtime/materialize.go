package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// materializeTxnDocs bounds the source documents of one materialization transaction.
const materializeTxnDocs = 10_000

// matBinding is one binding's runtime state: how to key and project its documents.
type matBinding struct {
	spec     *connector.MaterializationBinding
	keys     []doc.Extractor // of the selected key fields
	values   []fieldValue
	combiner *doc.Combiner
	loaded   map[string]bool // keys loaded in this transaction
}

// fieldValue projects one selected value field of a document.
type fieldValue struct {
	ptr         doc.Extractor
	publishedAt bool // flow_published_at: the time of the document's UUID
}

// runMaterialization runs the Load/Flush/Store/StartCommit/Acknowledge loop of Flow's
// materialization protocol until it fails, or stop ends and the transaction in progress is
// committed.
func runMaterialization(ctx, stop context.Context, env *shardEnv, m *catalog.BuiltMaterialization, stats *statsCell) error {
	store, err := OpenRecoveryStore(env.dataDir, TaskMaterialization, m.Name)
	if err != nil {
		return err
	}
	cp, err := store.Load()
	if err != nil {
		return err
	}
	if cp == nil {
		cp = &ShardCheckpoint{}
	}
	spec, catBindings, ep, err := materializationSpec(ctx, env, m)
	if err != nil {
		return err
	}
	opts := env.connectorOptions()
	if _, err := connector.ApplyMaterialization(ctx, ep, opts, &connector.MaterializeApply{Materialization: spec, Version: "local"}); err != nil {
		return fmt.Errorf("materialization %s: apply: %w", m.Name, err)
	}
	bindings := make([]*matBinding, len(spec.Bindings))
	sources := make([]Source, len(spec.Bindings))
	for i := range spec.Bindings {
		if bindings[i], err = newMatBinding(&spec.Bindings[i], catBindings[i].Source, store.Dir()); err != nil {
			return fmt.Errorf("materialization %s: %w", m.Name, err)
		}
		sources[i] = Source{Collection: catBindings[i].Source.Name, ReadSuffix: spec.Bindings[i].JournalReadSuffix,
			Partitions: selectorOf(catBindings[i].Partitions), Priority: catBindings[i].Def.Priority}
	}

	stream, err := connector.OpenMaterialize(ctx, ep, opts)
	if err != nil {
		return err
	}
	defer stream.Close()
	if err := stream.Send(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{
		Materialization: spec, Version: "local", Range: &connector.FullRange, State: cp.openState()}}); err != nil {
		return err
	}
	resp, err := stream.Recv()
	if err != nil || resp.Opened == nil {
		return fmt.Errorf("materialization %s: waiting for Opened: %v", m.Name, orUnexpected(err, resp))
	}
	// A connector that stores checkpoints with its data (exactly-once) is authoritative.
	if rc := resp.Opened.RuntimeCheckpoint; rc != nil {
		cp.Sources = rc.Sources
	}
	reader, err := NewReader(ctx, ReaderOptions{Client: env.client, Sources: sources, Checkpoint: cp.Sources, Now: env.now, Wake: env.notifier.C})
	if err != nil {
		return fmt.Errorf("materialization %s: %w", m.Name, err)
	}
	defer reader.Close()

	txnBindings := make([]bindingTxn, len(sources))
	for i, src := range sources {
		txnBindings[i].collection = src.Collection
	}
	t := &matTxn{stream: stream, name: m.Name, bindings: bindings, stats: newTxnStats(txnBindings)}
	if err := t.acknowledge(cp); err != nil { // Acknowledges the recovered commit.
		return err
	}
	for stop.Err() == nil {
		seq := env.notifier.Seq()
		n, err := t.read(ctx, reader)
		if err != nil {
			return err
		}
		if n == 0 {
			if caughtUp, err := caughtUp(ctx, reader); err != nil {
				return fmt.Errorf("materialization %s: %w", m.Name, err)
			} else if caughtUp {
				stats.update(func(s *TaskStats) { s.Idle, s.idleSeq, s.LagSeconds = true, seq, 0 })
			}
			if err := reader.Wait(stop); stop.Err() != nil {
				continue // stopping, and idle
			} else if err != nil {
				return fmt.Errorf("materialization %s: %w", m.Name, err)
			}
			stats.update(func(s *TaskStats) { s.Idle = false })
			continue
		}
		if err := t.flushAndStore(); err != nil {
			return err
		}
		cp.Sources = reader.Checkpoint()
		t.stats.startCommit()
		if err := t.startCommit(cp); err != nil {
			return err
		}
		if err := store.Commit(cp); err != nil {
			return fmt.Errorf("materialization %s: committing the checkpoint: %w", m.Name, err)
		}
		if err := t.acknowledge(cp); err != nil {
			return err
		}
		stats.commit(t.stats)
		t.stats.reset()
	}
	return nil
}

func newMatBinding(spec *connector.MaterializationBinding, coll *catalog.BuiltCollection, spillDir string) (*matBinding, error) {
	ptrOf := func(field string) (doc.Extractor, error) {
		p := spec.Collection.Projection(field)
		if p == nil {
			return doc.Extractor{}, fmt.Errorf("binding %s: selected field %s is not a projection", coll.Name, field)
		}
		ptr, err := doc.ParsePointer(p.Ptr)
		return doc.Extractor{Ptr: ptr}, err
	}
	b := &matBinding{spec: spec, loaded: map[string]bool{}}
	for _, f := range spec.FieldSelection.Keys {
		ex, err := ptrOf(f)
		if err != nil {
			return nil, err
		}
		b.keys = append(b.keys, ex)
	}
	for _, f := range spec.FieldSelection.Values {
		ex, err := ptrOf(f)
		if err != nil {
			return nil, err
		}
		b.values = append(b.values, fieldValue{ptr: ex, publishedAt: f == schema.PublishedAtField})
	}
	comb, err := doc.NewCombiner(doc.CombinerSpec{Key: b.keys, Schema: coll.ReadSchema, SpillDir: spillDir})
	if err != nil {
		return nil, fmt.Errorf("binding %s: %w", coll.Name, err)
	}
	b.combiner = comb
	return b, nil
}

// matTxn speaks one materialization session's transactions.
type matTxn struct {
	stream   connector.MaterializeStream
	name     string
	bindings []*matBinding
	stats    *txnStats // of the transaction in progress
}

// read takes ready source documents into the transaction, sending a Load for each new key of a
// standard (not delta-updates) binding.
func (t *matTxn) read(ctx context.Context, reader *Reader) (int, error) {
	var n int
	for n < materializeTxnDocs {
		d, ok, err := reader.Poll(ctx)
		if err != nil {
			return 0, fmt.Errorf("materialization %s: %w", t.name, err)
		}
		if !ok {
			break
		}
		b := t.bindings[d.Source]
		if err := b.combiner.AddJSON(d.Raw); err != nil {
			if notJSON := (*doc.NotJSONError)(nil); errors.As(err, &notJSON) {
				return 0, fmt.Errorf("materialization %s: document at %s:%d: %w", t.name, d.Journal, d.Begin, err)
			}
			return 0, fmt.Errorf("materialization %s: document at %s:%d of %s: %w", t.name, d.Journal, d.Begin, b.spec.Collection.Name, err)
		}
		if !b.spec.DeltaUpdates {
			key := b.combiner.LastKey()
			if !b.loaded[string(key)] {
				b.loaded[string(key)] = true
				if err := t.stream.Send(&connector.MaterializeRequest{Load: &connector.Load{Binding: uint32(d.Source), KeyPacked: bytes.Clone(key)}}); err != nil {
					return 0, err
				}
			}
		}
		n++
		t.stats.sourceRead(d.Source, len(d.Raw), d.UUID.PublishedAt())
	}
	return n, nil
}

// flushAndStore ends the loads, reduces loaded documents under the transaction's, and stores
// the results, counting loaded documents and Stores (their packed keys, values and documents)
// by binding.
func (t *matTxn) flushAndStore() error {
	if err := t.stream.Send(&connector.MaterializeRequest{Flush: &connector.Flush{}}); err != nil {
		return err
	}
	for {
		r, err := t.stream.Recv()
		if err != nil {
			return fmt.Errorf("materialization %s: waiting for Flushed: %w", t.name, err)
		}
		if r.Flushed != nil {
			break
		}
		if r.Loaded == nil || int(r.Loaded.Binding) >= len(t.bindings) {
			return fmt.Errorf("materialization %s: expected Loaded or Flushed, got %s", t.name, abbreviate(r))
		}
		t.stats.bindings[r.Loaded.Binding].left.add(1, int64(len(r.Loaded.Doc)))
		if err := t.bindings[r.Loaded.Binding].combiner.AddFrontJSON(r.Loaded.Doc); err != nil {
			if notJSON := (*doc.NotJSONError)(nil); errors.As(err, &notJSON) {
				return fmt.Errorf("materialization %s: loaded document is not JSON: %w", t.name, err)
			}
			v, _ := doc.Decode(r.Loaded.Doc)
			return fmt.Errorf("materialization %s: loaded document %s: %w", t.name, abbreviate(v), err)
		}
	}
	for i, b := range t.bindings {
		clear(b.loaded)
		err := b.combiner.Drain(!b.spec.DeltaUpdates, func(d doc.Drained) error {
			// The Store outlives the callback, and d refers into the combiner.
			st := &connector.Store{Binding: uint32(i), KeyPacked: bytes.Clone(d.Key), ValuesPacked: b.packValues(d.Arena, d.Node),
				Exists: d.Front, Delete: d.Deleted}
			if b.spec.FieldSelection.Document != "" {
				st.Doc = d.AppendJSON(nil)
			}
			t.stats.bindings[i].out.add(1, int64(len(st.KeyPacked)+len(st.ValuesPacked)+len(st.Doc)))
			return t.stream.Send(&connector.MaterializeRequest{Store: st})
		})
		if err != nil {
			return fmt.Errorf("materialization %s: binding %s: %w", t.name, b.spec.Collection.Name, err)
		}
	}
	return nil
}

// packValues packs the selected value fields of a document.
func (b *matBinding) packValues(a *node.Arena, d node.Node) []byte {
	var out []byte
	for _, v := range b.values {
		if v.publishedAt {
			out = doc.PackValue(out, publishedAt(a, d))
		} else {
			out = doc.PackValueNode(out, a, v.ptr.ExtractNode(a, d))
		}
	}
	return out
}

// uuidPtr locates a document's UUID.
var uuidPtr, _ = doc.ParsePointer(schema.UUIDPtr)

// publishedAt is flow_published_at: the RFC 3339 time of the document's UUID (null without one).
func publishedAt(a *node.Arena, d node.Node) any {
	uuid, _ := uuidPtr.QueryNode(a, d)
	if uuid.Kind() != node.String {
		return nil
	}
	u, err := journal.ParseUUID(a.Str(uuid))
	if err != nil {
		return nil
	}
	return u.PublishedAt().UTC().Format(time.RFC3339Nano)
}

func (t *matTxn) startCommit(cp *ShardCheckpoint) error {
	if err := t.stream.Send(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: cp.Runtime()}}); err != nil {
		return err
	}
	r, err := t.stream.Recv()
	if err != nil || r.StartedCommit == nil {
		return fmt.Errorf("materialization %s: waiting for StartedCommit: %v", t.name, orUnexpected(err, r))
	}
	return t.applyState(cp, r.StartedCommit)
}

// acknowledge tells the connector the runtime committed and waits for its Acknowledged.
func (t *matTxn) acknowledge(cp *ShardCheckpoint) error {
	if err := t.stream.Send(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}); err != nil {
		return err
	}
	r, err := t.stream.Recv()
	if err != nil || r.Acknowledged == nil {
		return fmt.Errorf("materialization %s: waiting for Acknowledged: %v", t.name, orUnexpected(err, r))
	}
	return t.applyState(cp, r.Acknowledged)
}

func (t *matTxn) applyState(cp *ShardCheckpoint, u *connector.StateUpdate) error {
	if u.State == nil {
		return nil
	}
	s, err := applyStateUpdate(cp.ConnectorState, u.State.Updated, u.State.MergePatch)
	if err != nil {
		return fmt.Errorf("materialization %s: %w", t.name, err)
	}
	cp.ConnectorState = s
	return nil
}

// orUnexpected describes a failed wait for a response: the error, else the response that came.
func orUnexpected(err error, r any) string {
	if err != nil {
		return err.Error()
	}
	return "unexpected response " + abbreviate(r)
}
