// Package capture holds what the built-in capture connectors share: the request dispatch of a
// connector invocation and the Open/Captured/Checkpoint/Acknowledge session. Each built-in lives in a
// sub-package (helloworld, httpingest, sourcefile, postgres) and implements Driver.
package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/flowctl/flowctl/pkg/connector"
)

// Driver is one built-in capture connector.
type Driver interface {
	// Spec describes the connector's config and resource schemas.
	Spec(ctx context.Context, req *connector.SpecRequest) (*connector.SpecResponse, error)
	// Discover lists the bindings the configured endpoint offers.
	Discover(ctx context.Context, req *connector.Discover) (*connector.Discovered, error)
	// Validate checks a proposed task and returns each binding's resource path, in request order.
	Validate(ctx context.Context, req *connector.CaptureValidate) (*connector.CaptureValidated, error)
	// Pull runs a capture session until ctx ends, the runtime closes its side, or (for finite
	// sources) everything is read. It must call session.Opened first.
	Pull(ctx context.Context, open *connector.CaptureOpen, session *Session) error
}

// Serve answers the requests of one invocation with driver until the runtime closes its side.
// Unary requests (spec, discover, validate, apply) are answered in turn; open starts a session that
// lasts the rest of the invocation. A built-in registers func(ctx, stream, log) { return Serve(ctx, stream, log, driver) }.
func Serve(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger, driver Driver) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		var resp connector.CaptureResponse
		switch {
		case req.Spec != nil:
			resp.Spec, err = driver.Spec(ctx, req.Spec)
			if err == nil {
				resp.Spec.Protocol = connector.ProtocolVersion
			}
		case req.Discover != nil:
			resp.Discovered, err = driver.Discover(ctx, req.Discover)
		case req.Validate != nil:
			resp.Validated, err = driver.Validate(ctx, req.Validate)
		case req.Apply != nil:
			// The built-ins keep no endpoint-side resources that apply would prepare.
			resp.Applied = &connector.Applied{}
		case req.Open != nil:
			return runSession(ctx, stream, log, driver, req.Open)
		default:
			return fmt.Errorf("protocol error: expected spec, discover, validate, apply or open, got %q", req.Kind())
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&resp); err != nil {
			return err
		}
	}
}

func runSession(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger, driver Driver, open *connector.CaptureOpen) error {
	if open.Capture == nil {
		return errors.New("protocol error: open has no capture spec")
	}
	session, ctx := newSession(ctx, stream, log.With("capture", open.Capture.Name))
	err := driver.Pull(ctx, open, session)
	// The runtime closing its side is how it stops a session: that is a clean end.
	if cause := context.Cause(ctx); errors.Is(cause, io.EOF) && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("capture %s: %w", open.Capture.Name, err)
	}
	return nil
}
