package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
	"github.com/flowctl/flowctl/pkg/journal"
)

// captureTxnDocs bounds the documents of one capture transaction (Flow bounds its combiner by bytes;
// documents are a simpler proxy with the same effect on memory).
const captureTxnDocs = 100_000

// captureShard runs one capture session: connector documents are validated against the target's
// write schema, combined by key per transaction, and committed with the merged connector state.
type captureShard struct {
	env      *shardEnv
	task     *catalog.BuiltCapture
	spillDir string
	writers  []*CollectionWriter // by binding of the opened spec
	stats    *statsCell
	// commit ends a transaction: the combined documents of each binding, and the checkpoint
	// (with the connector state) they go with.
	commit func(ctx context.Context, byBinding [][]journal.Document, cp *ShardCheckpoint) (Published, error)
}

// runCapture runs the capture until its connector exits (nil: a finite capture is done), it fails,
// or stop ends (it then commits the checkpoints already received and returns nil).
func runCapture(ctx, stop context.Context, env *shardEnv, task *catalog.BuiltCapture, stats *statsCell) error {
	store, err := OpenRecoveryStore(env.dataDir, TaskCapture, task.Name)
	if err != nil {
		return err
	}
	cp, err := store.Load()
	if err != nil {
		return err
	}
	pub, err := recoverPublisher(ctx, env.client, cp, env.now)
	if err != nil {
		return err
	}
	if cp == nil {
		cp = &ShardCheckpoint{}
	}
	s := &captureShard{env: env, task: task, spillDir: store.Dir(), stats: stats,
		commit: func(ctx context.Context, byBinding [][]journal.Document, cp *ShardCheckpoint) (Published, error) {
			return CommitTransaction(ctx, env.client, pub, slices.Concat(byBinding...), cp, store.Commit)
		}}
	return s.run(ctx, stop, cp)
}

// run runs one session of the connector from checkpoint cp.
func (s *captureShard) run(ctx, stop context.Context, cp *ShardCheckpoint) error {
	spec, ep, err := s.spec(ctx)
	if err != nil {
		return err
	}
	stream, err := connector.OpenCapture(ctx, ep, s.env.connectorOptions())
	if err != nil {
		return err
	}
	defer stream.Close()
	if err := stream.Send(&connector.CaptureRequest{Open: &connector.CaptureOpen{
		Capture: spec, Version: "local", Range: &connector.FullRange, State: cp.openState(),
	}}); err != nil {
		return err
	}
	resp, err := stream.Recv()
	if err != nil {
		return fmt.Errorf("capture %s: waiting for Opened: %w", s.task.Name, err)
	}
	if resp.Opened == nil {
		return fmt.Errorf("capture %s: connector answered Open without Opened", s.task.Name)
	}
	explicitAcks := resp.Opened.ExplicitAcknowledgements

	// Responses arrive on their own goroutine so that the loop can tell whether more are waiting.
	// Once run returns, the receiver stops at its next send, even with the buffer full.
	responses := make(chan *connector.CaptureResponse, 1024)
	recvErr := make(chan error, 1)
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				recvErr <- err
				close(responses)
				return
			}
			select {
			case responses <- r:
			case <-returned:
				return
			}
		}
	}()

	var docs, checkpoints int
	txn := newTxnStats(captureBindings(s.writers))
	// commit ends the transaction of the checkpoints received so far.
	commit := func() error {
		if err := s.commitTransaction(ctx, cp, txn); err != nil {
			return err
		}
		s.stats.commit(txn)
		if explicitAcks {
			if err := stream.Send(&connector.CaptureRequest{Acknowledge: &connector.CaptureAcknowledge{Checkpoints: uint32(checkpoints)}}); err != nil {
				return err
			}
		}
		docs, checkpoints = 0, 0
		txn.reset()
		return nil
	}
	// Once stopping, the transaction ends at the connector's next checkpoint: documents already
	// combined past the last checkpoint cannot be told apart from those before it, and the
	// connector's state covers them only then.
	stopping := false
	stopped := stop.Done()
	uncheckpointed := 0 // documents since the last checkpoint
	for {
		var r *connector.CaptureResponse
		var ok bool
		select {
		case r, ok = <-responses:
		case <-ctx.Done():
			return ctx.Err()
		case <-stopped:
			if uncheckpointed == 0 {
				if checkpoints > 0 {
					return commit()
				}
				return nil
			}
			stopping, stopped = true, nil
			continue
		}
		if !ok {
			err := <-recvErr
			if errors.Is(err, io.EOF) {
				// Flow fails a connector that exits between documents and their checkpoint; the
				// checkpoints folded into this transaction so far commit only if it did not.
				if uncheckpointed > 0 {
					return fmt.Errorf("capture %s: connector exited within a checkpoint: %d documents after its last checkpoint (a capture must end each run of documents with a checkpoint)", s.task.Name, uncheckpointed)
				}
				if checkpoints > 0 {
					if err := commit(); err != nil {
						return err
					}
				}
				return stream.Close()
			}
			return fmt.Errorf("capture %s: %w", s.task.Name, err)
		}
		switch {
		case r.Captured != nil:
			b := int(r.Captured.Binding)
			if b >= len(s.writers) {
				return fmt.Errorf("capture %s: connector captured into binding %d, but the task has %d", s.task.Name, b, len(s.writers))
			}
			if err := s.writers[b].AddJSON(r.Captured.Doc); isNotJSON(err) {
				return fmt.Errorf("capture %s: binding %d: captured document is not JSON: %w", s.task.Name, b, err)
			} else if err != nil {
				return fmt.Errorf("capture %s: binding %d: %w", s.task.Name, b, err)
			}
			docs++
			uncheckpointed++
			txn.captured(b, len(r.Captured.Doc))
		case r.Checkpoint != nil:
			if r.Checkpoint.State == nil {
				return fmt.Errorf("capture %s: connector sent a checkpoint without state", s.task.Name)
			}
			if cp.ConnectorState, err = applyStateUpdate(cp.ConnectorState, r.Checkpoint.State.Updated, r.Checkpoint.State.MergePatch); err != nil {
				return fmt.Errorf("capture %s: %w", s.task.Name, err)
			}
			txn.begin()
			checkpoints++
			uncheckpointed = 0
			// Fold further checkpoints into this transaction while the connector is ahead of us,
			// up to Flow's bounds; commit when it pauses.
			if !stopping && len(responses) > 0 && docs < captureTxnDocs && time.Since(txn.started) < time.Second {
				continue
			}
			if err := commit(); err != nil || stopping {
				return err
			}
		case r.SourcedSchema != nil:
			// Schema inference from connectors is a control-plane concern; the runtime ignores it.
		default:
			return fmt.Errorf("capture %s: unexpected connector response %s", s.task.Name, abbreviate(r))
		}
	}
}

// commitTransaction drains the transaction's combined documents and commits them with cp,
// counting them in txn.
func (s *captureShard) commitTransaction(ctx context.Context, cp *ShardCheckpoint, txn *txnStats) error {
	txn.startCommit()
	byBinding := make([][]journal.Document, len(s.writers))
	for i, w := range s.writers {
		if err := w.DrainJSON(func(d journal.Document) error { byBinding[i] = append(byBinding[i], d); return nil }); err != nil {
			return fmt.Errorf("capture %s: %w", s.task.Name, err)
		}
	}
	n, err := s.commit(ctx, byBinding, cp)
	if err != nil {
		return fmt.Errorf("capture %s: %w", s.task.Name, err)
	}
	counts := make([]int, len(byBinding))
	for i, docs := range byBinding {
		counts[i] = len(docs)
	}
	txn.publishedOut(counts, n)
	return nil
}

// spec builds the CaptureSpec of the enabled bindings, asking the connector for resource paths.
func (s *captureShard) spec(ctx context.Context) (*connector.CaptureSpec, connector.Endpoint, error) {
	ep, kind, config, err := endpointOf(s.task.Name, s.task.Def.Endpoint)
	if err != nil {
		return nil, ep, err
	}
	spec := &connector.CaptureSpec{Name: s.task.Name, ConnectorType: kind, Config: config,
		IntervalSeconds: uint32(s.task.Interval / time.Second)}
	validate := &connector.CaptureValidate{Name: s.task.Name, ConnectorType: kind, Config: config}
	s.writers = nil
	for _, b := range s.task.Bindings {
		if b.Def.Disable {
			continue
		}
		coll, err := collectionSpec(s.env.built, b.Target)
		if err != nil {
			return nil, ep, err
		}
		resource, err := json.Marshal(connector.ResolveRelativePath(b.Resource, s.task.Def.Endpoint.Scope.URL))
		if err != nil {
			return nil, ep, fmt.Errorf("capture %s: resource of %s: %w", s.task.Name, b.Target.Name, err)
		}
		w, err := NewCollectionWriter(b.Target, s.spillDir)
		if err != nil {
			return nil, ep, err
		}
		s.writers = append(s.writers, w)
		spec.Bindings = append(spec.Bindings, connector.CaptureBinding{ResourceConfig: resource, Collection: *coll, Backfill: b.Def.Backfill})
		validate.Bindings = append(validate.Bindings, connector.CaptureValidateBinding{ResourceConfig: resource, Collection: *coll, Backfill: b.Def.Backfill})
	}
	validated, err := connector.ValidateCapture(ctx, ep, s.env.connectorOptions(), validate)
	if err != nil {
		return nil, ep, fmt.Errorf("capture %s: validate: %w", s.task.Name, err)
	}
	if len(validated.Bindings) != len(spec.Bindings) {
		return nil, ep, fmt.Errorf("capture %s: connector validated %d bindings of %d", s.task.Name, len(validated.Bindings), len(spec.Bindings))
	}
	for i := range spec.Bindings {
		spec.Bindings[i].ResourcePath = validated.Bindings[i].ResourcePath
		spec.Bindings[i].StateKey = capture.StateKey(&spec.Bindings[i])
	}
	return spec, ep, nil
}
