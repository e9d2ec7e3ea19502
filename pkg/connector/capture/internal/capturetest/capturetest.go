// Package capturetest drives built-in captures through the connector protocol in process, as the
// runtime does: the same streams, the same protocol checks, merge-patched state between runs.
package capturetest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
)

// Timeout bounds each wait for a response, so a stuck connector fails the test instead of hanging it.
const Timeout = 30 * time.Second

// Unary sends one request to a fresh invocation of image and returns its single response.
func Unary(t testing.TB, image string, req *connector.CaptureRequest) (*connector.CaptureResponse, error) {
	t.Helper()
	s := start(t, image)
	defer s.Close()
	if err := s.stream.Send(req); err != nil {
		return nil, err
	}
	_ = s.stream.CloseSend()
	resp, err := s.recv(t)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Session is an open capture session.
type Session struct {
	stream    connector.CaptureStream
	responses chan result
	cancel    context.CancelFunc
	closed    bool
}

type result struct {
	resp *connector.CaptureResponse
	err  error
}

func start(t testing.TB, image string) *Session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := connector.OpenCapture(ctx, connector.Endpoint{Task: "acmeCo/test-capture", Image: image}, connector.Options{})
	if err != nil {
		cancel()
		t.Fatalf("starting %s: %v", image, err)
	}
	s := &Session{stream: stream, responses: make(chan result, 1024), cancel: cancel}
	go func() {
		for {
			resp, err := stream.Recv()
			s.responses <- result{resp, err}
			if err != nil {
				close(s.responses)
				return
			}
		}
	}()
	t.Cleanup(func() { s.Close() })
	return s
}

// Open starts image, opens spec with state and waits for opened.
func Open(t testing.TB, image string, spec *connector.CaptureSpec, state json.RawMessage) (*Session, *connector.CaptureOpened) {
	t.Helper()
	s := start(t, image)
	err := s.stream.Send(&connector.CaptureRequest{Open: &connector.CaptureOpen{
		Capture: spec, Version: "1122334455667788", Range: &connector.FullRange, State: state,
	}})
	if err != nil {
		t.Fatalf("sending open: %v", err)
	}
	resp, err := s.recv(t)
	if err != nil {
		t.Fatalf("waiting for opened: %v", err)
	}
	if resp.Opened == nil {
		t.Fatalf("first response is %q, want opened", resp.Kind())
	}
	return s, resp.Opened
}

func (s *Session) recv(t testing.TB) (*connector.CaptureResponse, error) {
	t.Helper()
	select {
	case r, ok := <-s.responses:
		if !ok {
			return nil, io.EOF
		}
		return r.resp, r.err
	case <-time.After(Timeout):
		t.Fatalf("no response from the connector within %v", Timeout)
		return nil, nil
	}
}

// Next returns the next response, io.EOF once the connector ended cleanly, or its error.
func (s *Session) Next(t testing.TB) (*connector.CaptureResponse, error) {
	t.Helper()
	return s.recv(t)
}

// Doc is one captured document.
type Doc struct {
	Binding int
	Doc     map[string]any
}

// Checkpoints reads until n checkpoints arrived, returning the documents and the state updates.
// It fails the test if the connector ends or errs first.
func (s *Session) Checkpoints(t testing.TB, n int) ([]Doc, []*connector.ConnectorState) {
	t.Helper()
	var docs []Doc
	var states []*connector.ConnectorState
	for len(states) < n {
		resp, err := s.recv(t)
		if err != nil {
			t.Fatalf("after %d of %d checkpoints: %v", len(states), n, err)
		}
		d, st := s.absorb(t, resp)
		docs = append(docs, d...)
		if st != nil {
			states = append(states, st)
		}
	}
	return docs, states
}

// UntilEOF reads every response until the connector ends; an error from it fails the test.
func (s *Session) UntilEOF(t testing.TB) ([]Doc, []*connector.ConnectorState) {
	t.Helper()
	var docs []Doc
	var states []*connector.ConnectorState
	for {
		resp, err := s.recv(t)
		if errors.Is(err, io.EOF) {
			return docs, states
		} else if err != nil {
			t.Fatalf("connector failed: %v", err)
		}
		d, st := s.absorb(t, resp)
		docs = append(docs, d...)
		if st != nil {
			states = append(states, st)
		}
	}
}

func (s *Session) absorb(t testing.TB, resp *connector.CaptureResponse) ([]Doc, *connector.ConnectorState) {
	t.Helper()
	switch {
	case resp.Captured != nil:
		var doc map[string]any
		dec := json.NewDecoder(bytesReader(resp.Captured.Doc))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("captured document is not a JSON object: %v: %s", err, resp.Captured.Doc)
		}
		return []Doc{{Binding: int(resp.Captured.Binding), Doc: doc}}, nil
	case resp.Checkpoint != nil:
		return nil, resp.Checkpoint.State
	case resp.SourcedSchema != nil:
		return nil, nil
	default:
		t.Fatalf("unexpected %q response during a session", resp.Kind())
		return nil, nil
	}
}

// Acknowledge tells the connector that n checkpoints committed.
func (s *Session) Acknowledge(t testing.TB, n uint32) {
	t.Helper()
	if err := s.stream.Send(&connector.CaptureRequest{Acknowledge: &connector.CaptureAcknowledge{Checkpoints: n}}); err != nil {
		t.Fatalf("sending acknowledge: %v", err)
	}
}

// Close stops the connector, as the runtime does when a session ends.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.stream.Close()
	s.cancel()
	return err
}
