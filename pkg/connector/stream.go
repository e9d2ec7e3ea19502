package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Stream is the runtime's side of one connector invocation: it sends requests and receives
// responses. Recv returns io.EOF once the connector has ended cleanly. Close ends the invocation
// (closing the request side, then stopping the connector after a grace period) and returns the
// connector's failure, if any. Messages are passed by pointer: do not modify one after Send.
type Stream[Req, Resp any] interface {
	Send(*Req) error
	Recv() (*Resp, error)
	// CloseSend tells the connector no more requests follow.
	CloseSend() error
	Close() error
}

// ServerStream is a built-in connector's side of an invocation: Recv returns io.EOF once the
// runtime has closed its side.
type ServerStream[Req, Resp any] interface {
	Recv() (*Req, error)
	Send(*Resp) error
}

// CaptureStream is the runtime's side of a capture connector.
type CaptureStream = Stream[CaptureRequest, CaptureResponse]

// MaterializeStream is the runtime's side of a materialize connector.
type MaterializeStream = Stream[MaterializeRequest, MaterializeResponse]

// CaptureServerStream is a built-in capture connector's side.
type CaptureServerStream = ServerStream[CaptureRequest, CaptureResponse]

// MaterializeServerStream is a built-in materialize connector's side.
type MaterializeServerStream = ServerStream[MaterializeRequest, MaterializeResponse]

// pipeDepth is how many messages each direction of an in-process stream buffers, so that a
// runtime sending a transaction's loads need not wait on the connector message by message.
const pipeDepth = 1024

// inProcess runs serve in a goroutine and connects it to the runtime by two channels.
type inProcess[Req, Resp any] struct {
	name      string
	requests  chan *Req
	responses chan *Resp
	cancel    context.CancelFunc
	done      chan struct{} // closed when serve returned
	err       error         // serve's error, read after done
	closeOnce sync.Once
}

func startInProcess[Req, Resp any](ctx context.Context, name string,
	serve func(context.Context, ServerStream[Req, Resp]) error) *inProcess[Req, Resp] {
	ctx, cancel := context.WithCancel(ctx)
	p := &inProcess[Req, Resp]{
		name:      name,
		requests:  make(chan *Req, pipeDepth),
		responses: make(chan *Resp, pipeDepth),
		cancel:    cancel,
		done:      make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		defer close(p.responses)
		p.err = runGuarded(func() error { return serve(ctx, &inProcessServer[Req, Resp]{p: p, ctx: ctx}) })
	}()
	return p
}

// runGuarded turns a panic of a built-in connector into an error, so one bad connector cannot
// take the process down.
func runGuarded(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("connector panicked: %v", r)
		}
	}()
	return fn()
}

func (p *inProcess[Req, Resp]) Send(m *Req) error {
	select {
	case p.requests <- m:
		return nil
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("%s: %w", p.name, p.err)
		}
		return fmt.Errorf("%s: connector exited before reading all requests", p.name)
	}
}

func (p *inProcess[Req, Resp]) Recv() (*Resp, error) {
	m, ok := <-p.responses
	if ok {
		return m, nil
	}
	<-p.done
	if p.err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, p.err)
	}
	return nil, io.EOF
}

func (p *inProcess[Req, Resp]) CloseSend() error {
	p.closeOnce.Do(func() { close(p.requests) })
	return nil
}

func (p *inProcess[Req, Resp]) Close() error {
	_ = p.CloseSend()
	p.cancel()
	// Drain so a connector blocked on Send can observe cancellation and return.
	for range p.responses {
	}
	<-p.done
	if p.err != nil && !errors.Is(p.err, context.Canceled) {
		return fmt.Errorf("%s: %w", p.name, p.err)
	}
	return nil
}

type inProcessServer[Req, Resp any] struct {
	p   *inProcess[Req, Resp]
	ctx context.Context
}

func (s *inProcessServer[Req, Resp]) Recv() (*Req, error) {
	select {
	case m, ok := <-s.p.requests:
		if !ok {
			return nil, io.EOF
		}
		return m, nil
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
}

func (s *inProcessServer[Req, Resp]) Send(m *Resp) error {
	select {
	case s.p.responses <- m:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}
