package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// OpenCapture starts the capture connector of ep. A built-in image runs in process; another image
// runs in Docker when an engine answers; a local endpoint runs as a process. Responses are checked
// against the protocol, and a violation ends the stream with a *ProtocolError.
func OpenCapture(ctx context.Context, ep Endpoint, opts Options) (CaptureStream, error) {
	inner, err := openStream(ctx, ep, opts, "capture", lookupCapture, BuiltinCaptures,
		&CaptureRequest{Spec: &SpecRequest{ConnectorType: ep.connectorType(), Config: json.RawMessage("{}")}},
		func(r *CaptureResponse) string { return r.Kind() })
	if err != nil {
		return nil, err
	}
	return &captureChecker{inner: inner, checkedSession: checkedSession{name: ep.describe()}}, nil
}

// OpenMaterialize starts the materialize connector of ep, as OpenCapture does.
func OpenMaterialize(ctx context.Context, ep Endpoint, opts Options) (MaterializeStream, error) {
	inner, err := openStream(ctx, ep, opts, "materialize", lookupMaterialize, BuiltinMaterializations,
		&MaterializeRequest{Spec: &SpecRequest{ConnectorType: ep.connectorType(), Config: json.RawMessage("{}")}},
		func(r *MaterializeResponse) string { return r.Kind() })
	if err != nil {
		return nil, err
	}
	return &materializeChecker{inner: inner, checkedSession: checkedSession{name: ep.describe()}}, nil
}

func openStream[Req, Resp any](ctx context.Context, ep Endpoint, opts Options, protocol string,
	lookup func(string) (func(context.Context, ServerStream[Req, Resp], *slog.Logger) error, bool),
	builtins func() []string, internalSpec *Req, kind func(*Resp) string) (Stream[Req, Resp], error) {
	logger := opts.logger(ep)
	if ep.Local == nil && ep.Image != "" {
		if serve, ok := lookup(ep.Image); ok {
			return startInProcess(ctx, ep.describe(), func(ctx context.Context, s ServerStream[Req, Resp]) error {
				return serve(ctx, s, logger.With("connector", ImageName(ep.Image)))
			}), nil
		}
		if err := probeDocker(ctx); err != nil {
			return nil, noConnectorError(ep.Task, ep.Image, protocol, builtins(), err)
		}
	}
	argv, env, err := ep.processArgv(opts)
	if err != nil {
		return nil, err
	}
	p, err := startProcess[Req, Resp](ctx, ep.describe(), argv, env, logger, opts.GracePeriod)
	if err != nil {
		return nil, err
	}
	// Flow's runtime opens every connector process with a Spec request and reads its answer
	// before the real first request; connectors written for Flow expect it.
	if err := p.Send(internalSpec); errors.Is(err, errExitedCleanly) {
		return nil, errors.Join(fmt.Errorf("%s: connector exited without answering the initial spec request", ep.describe()), p.Close())
	} else if err != nil {
		return nil, errors.Join(err, p.Close())
	}
	resp, err := p.Recv()
	if err == io.EOF {
		err = fmt.Errorf("%s: connector exited without answering the initial spec request", ep.describe())
	}
	if err == nil && kind(resp) != "spec" {
		err = &ProtocolError{Connector: ep.describe(), Received: kind(resp), Expected: []string{"spec"}}
	}
	if err != nil {
		_ = p.Close()
		return nil, err
	}
	return p, nil
}
