package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

// CapturedDoc is a combined document of a capture transaction, and the collection it is bound for.
type CapturedDoc struct {
	Collection string
	Doc        map[string]any
}

// CaptureTransaction is one transaction of a capture session: its documents combined by key, by
// binding then key order, and the connector state merged through its last checkpoint.
type CaptureTransaction struct {
	Docs  []CapturedDoc
	State json.RawMessage
}

// CaptureSessionOptions configure RunCaptureSession.
type CaptureSessionOptions struct {
	// State is the connector state the session starts from (nil: {}).
	State json.RawMessage
	// Transactions ends the session after this many transactions (0: when the connector exits).
	Transactions int
	// Committed sees each transaction as it ends; an error from it ends the session with that error.
	Committed func(CaptureTransaction) error
	Logger    *slog.Logger // connector logs (nil: slog.Default)
}

// errEnoughTransactions ends a session that ran the transactions it was asked for.
var errEnoughTransactions = errors.New("enough transactions")

// RunCaptureSession runs one session of a capture of built as a runtime shard does (the same
// validation, open, combining by key under the write schema, and transaction boundaries at the
// connector's checkpoints), but writes nothing: no journals, no recovery store. It returns when
// the connector exits (a finite capture), after opts.Transactions transactions, or when ctx ends
// (nil: what was committed stays committed).
func RunCaptureSession(ctx context.Context, built *catalog.Built, name string, opts CaptureSessionOptions) error {
	var task *catalog.BuiltCapture
	for _, c := range built.Captures {
		if c.Name == name {
			task = c
		}
	}
	if task == nil {
		return fmt.Errorf("%s is not a capture of the catalog", name)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	spillDir, err := os.MkdirTemp("", "flowctl-capture-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(spillDir)
	env := &shardEnv{built: built, logger: opts.Logger}
	committed := 0
	s := &captureShard{env: env, task: task, spillDir: spillDir, stats: &statsCell{}}
	s.commit = func(_ context.Context, byBinding [][]journal.Document, cp *ShardCheckpoint) (Published, error) {
		txn := CaptureTransaction{State: cp.ConnectorState}
		for i, docs := range byBinding {
			for _, d := range docs {
				v, err := doc.Decode(d.JSON) // the writer encoded it: an object
				if err != nil {
					return Published{}, err
				}
				txn.Docs = append(txn.Docs, CapturedDoc{Collection: s.writers[i].coll.Name, Doc: v.(map[string]any)})
			}
		}
		if len(txn.State) == 0 {
			txn.State = json.RawMessage(`{}`)
		}
		if opts.Committed != nil {
			if err := opts.Committed(txn); err != nil {
				return Published{}, err
			}
		}
		if committed++; opts.Transactions > 0 && committed >= opts.Transactions {
			return Published{}, errEnoughTransactions
		}
		return Published{Docs: int64(len(txn.Docs))}, nil
	}
	err = s.run(ctx, ctx, &ShardCheckpoint{ConnectorState: opts.State})
	if errors.Is(err, errEnoughTransactions) || (err != nil && ctx.Err() != nil) {
		return nil
	}
	return err
}
