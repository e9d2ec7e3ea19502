package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/flowctl/flowctl/pkg/connector"
)

// Session is a driver's side of an open capture: it sends Opened, Captured and Checkpoint responses
// and delivers the runtime's acknowledgements.
type Session struct {
	Log    *slog.Logger
	stream connector.CaptureServerStream
	acks   chan uint32
	opened bool
}

// newSession starts reading the runtime's requests. The returned context ends with cause io.EOF when
// the runtime closes its side, or with a protocol error when it sends something other than acknowledge.
func newSession(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger) (*Session, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	s := &Session{Log: log, stream: stream, acks: make(chan uint32, 64)}
	go func() {
		for {
			req, err := stream.Recv()
			switch {
			case err != nil:
				cancel(err)
				return
			case req.Acknowledge == nil:
				cancel(fmt.Errorf("protocol error: expected acknowledge during a capture session, got %q", req.Kind()))
				return
			}
			select {
			case s.acks <- max(req.Acknowledge.Checkpoints, 1):
			case <-ctx.Done():
				return
			}
		}
	}()
	return s, ctx
}

// Opened tells the runtime the session is ready. With explicitAcks the runtime sends acknowledge
// after committing checkpoints, delivered by Acks.
func (s *Session) Opened(explicitAcks bool) error {
	if s.opened {
		return errors.New("opened sent twice")
	}
	s.opened = true
	return s.stream.Send(&connector.CaptureResponse{Opened: &connector.CaptureOpened{ExplicitAcknowledgements: explicitAcks}})
}

// Captured sends one document of a binding. doc must be a JSON object.
func (s *Session) Captured(binding int, doc json.RawMessage) error {
	return s.stream.Send(&connector.CaptureResponse{Captured: &connector.Captured{Binding: uint32(binding), Doc: doc}})
}

// Checkpoint closes the documents sent since the previous checkpoint with a state update, as an
// RFC 7396 merge patch onto the prior state when mergePatch is set, else replacing it.
func (s *Session) Checkpoint(state any, mergePatch bool) error {
	updated, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encoding checkpoint state: %w", err)
	}
	return s.stream.Send(&connector.CaptureResponse{Checkpoint: &connector.CaptureCheckpoint{
		State: &connector.ConnectorState{Updated: updated, MergePatch: mergePatch},
	}})
}

// Acks delivers, for each acknowledge the runtime sends, how many checkpoints it committed.
func (s *Session) Acks() <-chan uint32 { return s.acks }
