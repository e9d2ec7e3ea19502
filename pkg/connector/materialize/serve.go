package materialize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/doc/tuple"
)

// driver is what a built-in materialization implements; serve runs the protocol around it.
type driver interface {
	spec() *connector.SpecResponse
	validate(ctx context.Context, req *connector.MaterializeValidate) (*connector.MaterializeValidated, error)
	apply(ctx context.Context, req *connector.MaterializeApply) (string, error)
	// open connects to the endpoint and returns the checkpoint it holds (nil if it holds none).
	open(ctx context.Context, req *connector.MaterializeOpen) (transactor, *connector.Checkpoint, error)
}

// transactor does one session's transactions. Loads are staged and answered at flush; stores
// are applied and made durable, with the checkpoint, by commit.
type transactor interface {
	load(binding int, key []any) error
	flush(ctx context.Context, loaded func(binding int, doc json.RawMessage) error) error
	store(binding int, r row) error
	commit(ctx context.Context, cp *connector.Checkpoint) error
	close() error
}

// row is one Store. Its key and values are decoded on demand: a binding that writes whole
// documents never needs them.
type row struct{ *connector.Store }

// fields decodes the key and values.
func (r row) fields() (key, values []any, err error) {
	if key, err = decodeFields(r.Key, r.KeyPacked); err != nil {
		return nil, nil, fmt.Errorf("key: %w", err)
	}
	if values, err = decodeFields(r.Values, r.ValuesPacked); err != nil {
		return nil, nil, fmt.Errorf("values: %w", err)
	}
	return key, values, nil
}

// serve answers requests until the runtime closes the stream.
func serve(ctx context.Context, stream connector.MaterializeServerStream, d driver) error {
	var tx transactor
	defer func() {
		if tx != nil {
			_ = tx.close()
		}
	}()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		var resp []*connector.MaterializeResponse
		one := func(r *connector.MaterializeResponse) { resp = []*connector.MaterializeResponse{r} }
		switch {
		case req.Spec != nil:
			one(&connector.MaterializeResponse{Spec: d.spec()})
		case req.Validate != nil:
			v, err := d.validate(ctx, req.Validate)
			if err != nil {
				return err
			}
			one(&connector.MaterializeResponse{Validated: v})
		case req.Apply != nil:
			desc, err := d.apply(ctx, req.Apply)
			if err != nil {
				return err
			}
			one(&connector.MaterializeResponse{Applied: &connector.Applied{ActionDescription: desc}})
		case req.Open != nil:
			if tx != nil {
				return errors.New("a second open in one session")
			}
			var cp *connector.Checkpoint
			if tx, cp, err = d.open(ctx, req.Open); err != nil {
				return err
			}
			one(&connector.MaterializeResponse{Opened: &connector.MaterializeOpened{RuntimeCheckpoint: cp}})
		default:
			if tx == nil {
				return fmt.Errorf("received %q before open", req.Kind())
			}
			if resp, err = transact(ctx, tx, req); err != nil {
				return err
			}
		}
		for _, r := range resp {
			if err := stream.Send(r); err != nil {
				return err
			}
		}
	}
}

// transact handles one request of an open session, returning the responses to send.
func transact(ctx context.Context, tx transactor, req *connector.MaterializeRequest) ([]*connector.MaterializeResponse, error) {
	switch {
	case req.Acknowledge != nil:
		// Commits are durable before startedCommit, so there is nothing left to do.
		return []*connector.MaterializeResponse{{Acknowledged: &connector.StateUpdate{}}}, nil
	case req.Load != nil:
		key, err := decodeFields(req.Load.Key, req.Load.KeyPacked)
		if err != nil {
			return nil, fmt.Errorf("load of binding %d: key: %w", req.Load.Binding, err)
		}
		return nil, tx.load(int(req.Load.Binding), key)
	case req.Flush != nil:
		var loaded []*connector.MaterializeResponse
		err := tx.flush(ctx, func(binding int, doc json.RawMessage) error {
			loaded = append(loaded, &connector.MaterializeResponse{Loaded: &connector.Loaded{Binding: uint32(binding), Doc: doc}})
			return nil
		})
		if err != nil {
			return nil, err
		}
		return append(loaded, &connector.MaterializeResponse{Flushed: &connector.StateUpdate{}}), nil
	case req.Store != nil:
		return nil, tx.store(int(req.Store.Binding), row{req.Store})
	case req.StartCommit != nil:
		if err := tx.commit(ctx, req.StartCommit.RuntimeCheckpoint); err != nil {
			return nil, err
		}
		return []*connector.MaterializeResponse{{StartedCommit: &connector.StateUpdate{}}}, nil
	default:
		return nil, fmt.Errorf("unexpected %q in an open session", req.Kind())
	}
}

// decodeFields reads a key or values array from its JSON form, else from its packed tuple.
func decodeFields(raw json.RawMessage, packed []byte) ([]any, error) {
	if len(raw) != 0 {
		v, err := doc.Decode(raw) // numbers stay json.Number, so integers are exact
		if err != nil {
			return nil, fmt.Errorf("not a JSON array: %w", err)
		}
		out, ok := v.([]any)
		if !ok && v != nil {
			return nil, fmt.Errorf("not a JSON array: %.40s", raw)
		}
		return out, nil
	}
	values, err := tuple.Unpack(packed)
	if err != nil {
		return nil, fmt.Errorf("packed tuple: %w", err)
	}
	// Flow packs objects and arrays as byte strings of their JSON text.
	for i, v := range values {
		if b, ok := v.([]byte); ok {
			if !json.Valid(b) {
				return nil, fmt.Errorf("packed field %d is a byte string that is not JSON text (%.40q)", i, b)
			}
			values[i] = json.RawMessage(b)
		}
	}
	return values, nil
}
