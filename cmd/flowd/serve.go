package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/controlplane"
)

type serveOptions struct {
	listen, database, dataDir string
	maxBody                   int64
	logLevel, logFormat       string
	connectorFiles            []string
	allowImages               []string
	allowLocal                bool
}

func newServeCmd(io *cliutil.IOStreams) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the control plane API",
		Long: `Serve the control plane's HTTP JSON API on --listen until interrupted.

The database is a SQLite file (by default flowd.db under --data-dir) or a postgres:// URL;
its schema is created or migrated on start.

The data plane runs every published, enabled capture, derivation and materialization, with
collection fragments and task state under DATA-DIR/dataplane. Each publication restarts the tasks it
changed, which resume where they committed; other tasks keep running.

Anyone with a write grant can publish tasks, so tasks run only the built-in connectors: no
` + "`local:`" + ` commands (--allow-local-connectors allows them) and no Docker images (--allow-image
allows one). File paths in published connector configs (source-file's path, materialize-sqlite's
path) are paths on this server: they must be absolute and lie under a --connector-files directory
(default DATA-DIR/files). Keep symbolic links out of those directories: a link is followed.
Specs must be self-contained: flowd never reads a file or URL that a spec names.
GET /api/v1/tasks reports each task's state and last error; GET /api/v1/collections/read streams a
collection's committed documents (both need a read grant on the names).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd.Context(), io, o) },
	}
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	cmd.Flags().StringVar(&o.database, "database", "", "SQLite file path or postgres:// URL (default DATA-DIR/flowd.db)")
	cmd.Flags().StringVar(&o.dataDir, "data-dir", "flowd-data", "directory for the SQLite database and the data plane's fragments")
	cmd.Flags().Int64Var(&o.maxBody, "max-body-bytes", controlplane.DefaultMaxBodyBytes, "largest request body accepted")
	cmd.Flags().StringArrayVar(&o.connectorFiles, "connector-files", nil, "directory under which connector file paths must lie; repeat for several (default DATA-DIR/files)")
	cmd.Flags().StringArrayVar(&o.allowImages, "allow-image", nil, "connector image tasks may run through Docker besides the built-ins; repeat for several")
	cmd.Flags().BoolVar(&o.allowLocal, "allow-local-connectors", false, "let tasks run `local:` commands as flowd's user (only if every publisher may run commands here)")
	cmd.Flags().StringVar(&o.logLevel, "log.level", "info", "log level: debug, info, warn or error")
	cmd.Flags().StringVar(&o.logFormat, "log.format", "color", "log format: json, text or color")
	return cmd
}

func runServe(ctx context.Context, io *cliutil.IOStreams, o serveOptions) error {
	logger, err := cliutil.NewLogger(io.ErrOut, o.logLevel, o.logFormat, io.ColorEnabled())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return fmt.Errorf("creating --data-dir: %w", err)
	}
	if o.database == "" {
		o.database = filepath.Join(o.dataDir, "flowd.db")
	}
	policy, err := connectorPolicy(o)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := controlplane.OpenStore(ctx, o.database)
	if err != nil {
		return err
	}
	defer store.Close()
	cp := controlplane.New(store, logger)
	cp.Builder = controlplane.CatalogBuilder{Connectors: policy}
	dataCtx, stopData := context.WithCancel(ctx)
	dataPlane, err := controlplane.StartDataPlane(dataCtx, store, controlplane.DataPlaneOptions{DataDir: o.dataDir, Logger: logger, Connectors: policy})
	if err != nil {
		stopData()
		return err
	}
	// On return the data plane drains its tasks before the store closes.
	defer func() {
		stopData()
		if err := dataPlane.Wait(); err != nil {
			logger.Error("closing the data plane's journals", "error", err)
		}
	}()
	cp.DataPlane = dataPlane
	mux := http.NewServeMux()
	mux.Handle("/", cp.Handler(o.maxBody))
	dataRoutes := cp.DataPlaneHandler(dataPlane)
	mux.Handle("/api/v1/tasks", dataRoutes)
	mux.Handle("/api/v1/collections/read", dataRoutes)

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another flowd running? pick another --listen)", o.listen, err)
	}
	srv := newHTTPServer(mux)
	// Tests and scripts read this line to find the port when --listen ends in :0.
	fmt.Fprintf(io.ErrOut, "flowd listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHTTPServer bounds what a slow or idle client can hold: headers and bodies must arrive in time
// and idle connections close. There is no write timeout: a following collection read streams for
// as long as the client reads.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}

// connectorPolicy makes the --connector-files directories absolute (creating the default one) and
// returns the policy that publications and the data plane enforce.
func connectorPolicy(o serveOptions) (controlplane.ConnectorPolicy, error) {
	dirs := o.connectorFiles
	if len(dirs) == 0 {
		dirs = []string{filepath.Join(o.dataDir, "files")}
		if err := os.MkdirAll(dirs[0], 0o700); err != nil {
			return controlplane.ConnectorPolicy{}, fmt.Errorf("creating the connector files directory: %w", err)
		}
	}
	p := controlplane.ConnectorPolicy{AllowLocal: o.allowLocal, Images: o.allowImages}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return p, fmt.Errorf("--connector-files %s: %w", d, err)
		}
		p.FileRoots = append(p.FileRoots, abs)
	}
	return p, nil
}
