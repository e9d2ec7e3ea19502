package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/draft"
)

// remoteReadFlags choose between the two sources of `collections read`: a local data directory (the
// default, as `flowctl develop` writes it) or, with --server, the published collections of the
// control plane named by the profile (FLOW_API_URL and FLOW_AUTH_TOKEN override it). The choice is
// explicit so that a login never silently changes what a script reads.
type remoteReadFlags struct {
	server bool
	cp     controlPlaneFlags
}

func (r *remoteReadFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&r.server, "server", false, "read the collection as published on the control plane of --profile, not from --data-dir")
	r.cp.register(cmd)
}

// runRemoteRead streams a published collection's committed documents from the control plane.
func runRemoteRead(ctx context.Context, cmd *cobra.Command, f *Factory, opts *collectionsReadOptions) error {
	if opts.since < 0 {
		return cliutil.Usagef("--since must be a positive duration, not %s", opts.since)
	}
	for _, local := range []string{"data-dir", "uncommitted"} {
		if cmd.Flags().Changed(local) {
			return cliutil.Usagef("--%s reads a local data directory and cannot be combined with --server", local)
		}
	}
	cl, _, err := opts.remote.cp.client()
	if err != nil {
		return err
	}
	if opts.follow {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	err = cl.ReadCollection(ctx, draft.ReadRequest{Collection: opts.collection, Partitions: opts.partitions,
		Since: opts.since, Follow: opts.follow}, f.IO.Out)
	return apiError(err)
}
