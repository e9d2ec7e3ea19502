package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// unary runs one request/response invocation: the connector answers once, then exits cleanly
// once its input closes.
func unary[Req, Resp any](ctx context.Context, ep Endpoint, opts Options, req *Req,
	open func(context.Context, Endpoint, Options) (Stream[Req, Resp], error)) (*Resp, error) {
	s, err := open(ctx, ep, opts)
	if err != nil {
		return nil, err
	}
	resp, err := func() (*Resp, error) {
		if err := s.Send(req); errors.Is(err, errExitedCleanly) {
			return nil, fmt.Errorf("%s: connector exited without answering", ep.describe())
		} else if err != nil {
			return nil, err
		}
		if err := s.CloseSend(); err != nil {
			return nil, err
		}
		resp, err := s.Recv()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: connector exited without answering", ep.describe())
		}
		if err != nil {
			return nil, err
		}
		if extra, err := s.Recv(); err == nil {
			return nil, fmt.Errorf("%s: connector sent a second response (%v) to a unary request", ep.describe(), extra)
		} else if err != io.EOF {
			return nil, err
		}
		return resp, nil
	}()
	return resp, errors.Join(err, s.Close())
}

// CaptureUnary sends one spec, discover, validate or apply request and returns the answer.
func CaptureUnary(ctx context.Context, ep Endpoint, opts Options, req *CaptureRequest) (*CaptureResponse, error) {
	return unary(ctx, ep, opts, req, OpenCapture)
}

// MaterializeUnary sends one spec, validate or apply request and returns the answer.
func MaterializeUnary(ctx context.Context, ep Endpoint, opts Options, req *MaterializeRequest) (*MaterializeResponse, error) {
	return unary(ctx, ep, opts, req, OpenMaterialize)
}

// DiscoverBindings runs a capture connector's discovery.
func DiscoverBindings(ctx context.Context, ep Endpoint, opts Options, req *Discover) (*Discovered, error) {
	resp, err := CaptureUnary(ctx, ep, opts, &CaptureRequest{Discover: req})
	if err != nil {
		return nil, err
	}
	return resp.Discovered, nil
}

// ValidateCapture runs a capture connector's validation.
func ValidateCapture(ctx context.Context, ep Endpoint, opts Options, req *CaptureValidate) (*CaptureValidated, error) {
	resp, err := CaptureUnary(ctx, ep, opts, &CaptureRequest{Validate: req})
	if err != nil {
		return nil, err
	}
	if err := checkValidatedBindings(ep, len(resp.Validated.Bindings), len(req.Bindings)); err != nil {
		return nil, err
	}
	return resp.Validated, nil
}

// ValidateMaterialization runs a materialize connector's validation.
func ValidateMaterialization(ctx context.Context, ep Endpoint, opts Options, req *MaterializeValidate) (*MaterializeValidated, error) {
	resp, err := MaterializeUnary(ctx, ep, opts, &MaterializeRequest{Validate: req})
	if err != nil {
		return nil, err
	}
	if err := checkValidatedBindings(ep, len(resp.Validated.Bindings), len(req.Bindings)); err != nil {
		return nil, err
	}
	return resp.Validated, nil
}

// checkValidatedBindings fails a validated response that does not answer each requested binding:
// the runtime pairs them by position.
func checkValidatedBindings(ep Endpoint, validated, requested int) error {
	if validated != requested {
		return &ProtocolError{Connector: ep.describe(), Received: "validated",
			Detail: fmt.Sprintf("it has %d bindings for %d requested", validated, requested)}
	}
	return nil
}

// ApplyCapture runs a capture connector's apply.
func ApplyCapture(ctx context.Context, ep Endpoint, opts Options, req *CaptureApply) (*Applied, error) {
	resp, err := CaptureUnary(ctx, ep, opts, &CaptureRequest{Apply: req})
	if err != nil {
		return nil, err
	}
	return resp.Applied, nil
}

// ApplyMaterialization runs a materialize connector's apply.
func ApplyMaterialization(ctx context.Context, ep Endpoint, opts Options, req *MaterializeApply) (*Applied, error) {
	resp, err := MaterializeUnary(ctx, ep, opts, &MaterializeRequest{Apply: req})
	if err != nil {
		return nil, err
	}
	return resp.Applied, nil
}
