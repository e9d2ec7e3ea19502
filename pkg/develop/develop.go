// Package develop runs a catalog locally: every task of a runtime.Runtime over a journal.Local data
// directory, with an HTTP API to ingest documents and report status.
package develop

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// Options configure a develop session.
type Options struct {
	Built   *catalog.Built
	DataDir string
	// Source is the catalog Built was built from; with WatchInterval > 0 its files are checked
	// that often, and a changed catalog that builds replaces the running one (Runtime.Update).
	Source        string
	WatchInterval time.Duration
	// Addr is the HTTP API's listen address ("" for none), e.g. "127.0.0.1:8080".
	Addr string
	// Listening, if set, is told the HTTP API's bound address (useful with port 0).
	Listening func(addr string)
	// MaxIngestBytes bounds a POST /ingest body (default DefaultMaxIngestBytes).
	MaxIngestBytes int64
	// ExitWhenIdle returns once every finite capture finished and every task caught up. A task
	// failure then stops the run and is returned, rather than restarted.
	ExitWhenIdle bool
	OpenDerive   runtime.OpenDeriveEngine
	Logger       *slog.Logger
}

// Run runs the catalog until ctx ends (or, with ExitWhenIdle, until it is idle) and returns the
// final stats of every task.
func Run(ctx context.Context, opts Options) ([]runtime.TaskStats, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxIngestBytes <= 0 {
		opts.MaxIngestBytes = DefaultMaxIngestBytes
	}
	local, err := journal.OpenLocal(journal.LocalOptions{DataDir: opts.DataDir, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	defer local.Close()
	if err := runtime.AddCollections(local, opts.Built); err != nil {
		return nil, err
	}
	if err := addOpsCollections(local); err != nil {
		return nil, err
	}
	rt := runtime.New(runtime.Options{Built: opts.Built, Client: local, DataDir: opts.DataDir,
		Logger: opts.Logger, OpenDerive: opts.OpenDerive, RestartCaptures: !opts.ExitWhenIdle,
		StopOnFailure: opts.ExitWhenIdle, WriteOps: true})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var watcher *catalogWatcher
	if opts.Source != "" && opts.WatchInterval > 0 {
		watcher = newCatalogWatcher(opts.Source, opts.Built, local, rt, opts.Logger)
		go watcher.run(ctx, opts.WatchInterval)
	}
	if opts.Addr != "" {
		ln, err := net.Listen("tcp", opts.Addr)
		if err != nil {
			return nil, fmt.Errorf("listening on %s for the HTTP API: %w (choose another --port)", opts.Addr, err)
		}
		srv := &http.Server{Handler: newAPI(rt, watcher, opts.MaxIngestBytes), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		opts.Logger.Info("HTTP API listening", "addr", ln.Addr().String())
		if opts.Listening != nil {
			opts.Listening(ln.Addr().String())
		}
	}
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	if opts.ExitWhenIdle {
		go func() {
			for ctx.Err() == nil && !rt.Idle() {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
		}()
	}
	if err := <-done; err != nil {
		return rt.Stats(), err
	}
	return rt.Stats(), nil
}
