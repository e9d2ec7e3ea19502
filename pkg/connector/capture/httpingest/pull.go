package httpingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
	"github.com/flowctl/flowctl/pkg/schema"
)

// shutdownGrace bounds how long requests in flight may take to finish once the session ends.
const shutdownGrace = 5 * time.Second

// Pull implements capture.Driver: it listens, tells the runtime it is open with explicit
// acknowledgements, and serves requests until the session ends.
func (Driver) Pull(ctx context.Context, open *connector.CaptureOpen, session *capture.Session) error {
	cfg, err := parseConfig(open.Capture.Config)
	if err != nil {
		return err
	}
	srv := &server{publisher: &publisher{session: session}, log: session.Log}
	if cfg.RequireAuthToken != nil && *cfg.RequireAuthToken != "" {
		srv.authValue = "Bearer " + *cfg.RequireAuthToken
	} else {
		session.Log.Warn("authentication is disabled, allowing writes from anyone")
	}
	var paths []string
	for i, b := range open.Capture.Bindings {
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return err
		}
		writeSchema, err := compileWriteSchema(b.Collection)
		if err != nil {
			return fmt.Errorf("binding %d: %w", i, err)
		}
		path := res.urlPath(b.Collection)
		paths = append(paths, path)
		srv.bindings = append(srv.bindings, binding{index: i, route: newRoute(path), idHeader: res.idHeader(), schema: writeSchema})
	}
	if err := checkRoutes(paths); err != nil {
		return err
	}

	port, err := cfg.port()
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("listening on port %d: %w (set port in the endpoint config or %s to a free port)", port, err, PortEnv)
	}
	name := open.Capture.Name
	listening.Store(name, listener.Addr())
	defer listening.Delete(name)
	session.Log.Info("listening for connections", "address", listener.Addr().String(), "paths", paths)

	if err := session.Opened(true); err != nil {
		listener.Close()
		return err
	}
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()

	err = srv.run(ctx, session)
	srv.publisher.stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	_ = httpServer.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}

// run delivers acknowledgements until the session ends.
func (s *server) run(ctx context.Context, session *capture.Session) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case n := <-session.Acks():
			if err := s.publisher.acknowledge(n); err != nil {
				return err
			}
		}
	}
}

// compileWriteSchema compiles the schema documents of a collection must satisfy when written, so
// that a bad request is refused with 400 rather than failing the capture.
func compileWriteSchema(c connector.CollectionSpec) (*schema.Schema, error) {
	raw := c.WriteSchema
	if len(raw) == 0 {
		raw = c.ReadSchema
	}
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the write schema of %s is not JSON: %w", c.Name, err)
	}
	ix := schema.NewIndex()
	u := "flow://collections/" + url.PathEscape(c.Name) + "/write-schema"
	if err := ix.Add(u, doc); err != nil {
		return nil, err
	}
	return ix.Compile(u)
}
