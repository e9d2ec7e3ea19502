package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile" // built-in connectors develop runs
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"
	"github.com/flowctl/flowctl/pkg/develop"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

func init() {
	register("", newDevelopCmd)
}

type developOptions struct {
	source       string
	dataDir      string
	port         int
	exitWhenIdle bool
}

func newDevelopCmd(f *Factory) *cobra.Command {
	opts := &developOptions{}
	cmd := &cobra.Command{
		Use:   "develop --source FILE",
		Short: "Run every capture, derivation and materialization of a catalog locally",
		Long: `Develop runs each enabled task of the catalog as a shard with Flow's transaction loop.
Collections are stored as fragment files under --data-dir, and a restart resumes exactly where the
previous run stopped. SIGINT or SIGTERM stops it cleanly: every task commits the transaction in
progress (a second signal stops at once). The catalog's files are watched: a changed catalog that
passes its check restarts the tasks it changed (their state is kept) and stops removed ones; one
that fails keeps the running version and its errors are logged and shown by GET /status.
Relative paths in connector configs are relative to the catalog file that holds them.`,
		Example: `  flowctl develop --source flow.yaml --exit-when-idle
  flowctl develop --source flow.yaml --port 8080`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDevelop(cmd, f, opts) },
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file or URL (required)")
	cmd.Flags().StringVar(&opts.dataDir, "data-dir", defaultDataDir, "data directory of collections and shard state")
	cmd.Flags().IntVar(&opts.port, "port", 0, "serve POST /ingest/<collection> and GET /status on this port (0: no API)")
	cmd.Flags().BoolVar(&opts.exitWhenIdle, "exit-when-idle", false, "exit once finite captures finished and every task caught up")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func runDevelop(cmd *cobra.Command, f *Factory, opts *developOptions) error {
	built, err := buildForRun(cmd, f, opts.source)
	if err != nil {
		return err
	}
	// The first signal drains (each task commits its transaction in progress); signals are then
	// no longer caught, so a second one ends the process at once.
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	addr := ""
	if opts.port > 0 {
		addr = fmt.Sprintf("127.0.0.1:%d", opts.port)
	}
	var watch time.Duration
	if !opts.exitWhenIdle {
		watch = time.Second // a run to completion keeps the catalog it started with
	}
	stats, err := develop.Run(ctx, develop.Options{Built: built, Source: opts.source, WatchInterval: watch, DataDir: opts.dataDir, Addr: addr,
		ExitWhenIdle: opts.exitWhenIdle, Logger: f.Logger, OpenDerive: derive.OpenShard})
	var failed *runtime.TaskError
	var reserved *runtime.ReservedNameError
	if errors.As(err, &failed) || errors.As(err, &reserved) {
		return cliutil.Failuref("%v", err)
	} else if err != nil {
		return err
	}
	enc := json.NewEncoder(f.IO.Out)
	for _, s := range stats {
		enc.Encode(s)
	}
	return nil
}
