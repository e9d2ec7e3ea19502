package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/testrunner"
)

func init() { register("", newPreviewCmd) }

type previewOptions struct {
	source      string
	name        string
	fixture     string
	sessions    int
	outputState bool
	dataDir     string
}

func newPreviewCmd(f *Factory) *cobra.Command {
	opts := &previewOptions{}
	cmd := &cobra.Command{
		Use:   "preview --source FILE|URL --name TASK",
		Short: "Run one capture or derivation in isolation and print what it produces",
		Long: `Preview runs one capture or SQLite derivation of the catalog by itself, through the same
code path as flowctl develop, and prints what it produces as JSON lines. Nothing is written
to a data directory.

A capture runs its connector from an empty state (built-ins, local: commands and Docker
images alike). Each transaction's documents, combined by key under the collection's write
schema, are printed as ["collection", {document}] lines. The preview ends when a finite
capture's connector exits.

A derivation prints every document it publishes. With --fixture, the source documents come
from a file in Flow's fixture format, [[["collection", {document}], ...], ...]: each inner
array is committed as one transaction of the source collections, and the derivation runs
until nothing is left to read (read delays cost no wall time). Without it, the derivation
reads the source collections of --data-dir as they are now and stops once it has read
everything.

--sessions N stops after N transactions. --output-state prints, after each transaction, the
state as one JSON line on stderr (a capture's connector state; a derivation's checkpoint of
source offsets, producer and ACK intents), so stdout holds only documents.`,
		Example: "  flowctl preview --source flow.yaml --name acme/from-files --sessions 1\n" +
			"  flowctl preview --source flow.yaml --name acme/counts --fixture fixture.json\n" +
			"  flowctl preview --source flow.yaml --name acme/counts --data-dir .flowctl/data",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPreview(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVar(&opts.name, "name", "", "name of the capture or derivation to preview (required)")
	cmd.Flags().StringVar(&opts.fixture, "fixture", "", "JSON file of source transactions, [[[\"collection\", {document}], ...], ...]")
	cmd.Flags().IntVar(&opts.sessions, "sessions", 0, "stop after this many transactions (0: run until done)")
	cmd.Flags().BoolVar(&opts.outputState, "output-state", false, "print the checkpoint after each transaction on stderr")
	cmd.Flags().StringVar(&opts.dataDir, "data-dir", defaultDataDir, "data directory whose collections are read without --fixture")
	_ = cmd.MarkFlagRequired("source")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func runPreview(cmd *cobra.Command, f *Factory, opts *previewOptions) error {
	if opts.sessions < 0 {
		return cliutil.Usagef("--sessions must be 0 (no limit) or a number of transactions, not %d", opts.sessions)
	}
	built, err := buildForRun(cmd, f, opts.source)
	if err != nil {
		return err
	}
	for _, c := range built.Captures {
		if c.Name == opts.name {
			if opts.fixture != "" {
				return cliutil.Usagef("--fixture gives a derivation's sources; %s is a capture, which reads its endpoint", opts.name)
			}
			return previewCapture(cmd, f, opts, built)
		}
	}
	if c := built.Collection(opts.name); c == nil || c.Derivation == nil {
		return cliutil.Usagef("%s is not a capture or derivation of %s", opts.name, opts.source)
	}
	popts := testrunner.PreviewOptions{Transactions: opts.sessions}
	if opts.fixture != "" {
		data, err := os.ReadFile(opts.fixture)
		if err != nil {
			return fmt.Errorf("cannot read --fixture: %w", err)
		}
		if popts.Fixture, err = testrunner.ParseFixture(data); err != nil {
			return fmt.Errorf("--fixture %s: %w", opts.fixture, err)
		}
	} else {
		if _, err := os.Stat(opts.dataDir); err != nil {
			return fmt.Errorf("data directory %s: %w (give --fixture, or --data-dir where `flowctl develop` wrote the collections)", opts.dataDir, err)
		}
		local, err := journal.OpenLocal(journal.LocalOptions{DataDir: opts.dataDir, ReadOnly: true})
		if err != nil {
			return err
		}
		defer local.Close()
		popts.Sources = local
	}
	out := bufio.NewWriter(f.IO.Out)
	defer out.Flush()
	popts.Published = func(docs []map[string]any, checkpoint []byte) error {
		for _, d := range docs {
			out.Write(doc.Append(nil, d))
			out.WriteByte('\n')
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if opts.outputState {
			fmt.Fprintf(f.IO.ErrOut, "%s\n", checkpoint)
		}
		return nil
	}
	if err := testrunner.PreviewDerivation(cmd.Context(), built, opts.name, popts); err != nil {
		return fmt.Errorf("preview of %s: %w", opts.name, err)
	}
	return nil
}

// previewCapture runs a capture session and prints each transaction's documents.
func previewCapture(cmd *cobra.Command, f *Factory, opts *previewOptions, built *catalog.Built) error {
	out := bufio.NewWriter(f.IO.Out)
	defer out.Flush()
	sopts := runtime.CaptureSessionOptions{Transactions: opts.sessions, Logger: f.Logger}
	sopts.Committed = func(txn runtime.CaptureTransaction) error {
		for _, d := range txn.Docs {
			out.Write(doc.Append(nil, []any{d.Collection, d.Doc}))
			out.WriteByte('\n')
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if opts.outputState {
			var state bytes.Buffer
			if err := json.Compact(&state, txn.State); err != nil {
				return fmt.Errorf("connector state: %w", err)
			}
			fmt.Fprintf(f.IO.ErrOut, "%s\n", state.Bytes())
		}
		return nil
	}
	if err := runtime.RunCaptureSession(cmd.Context(), built, opts.name, sopts); err != nil {
		return fmt.Errorf("preview of %s: %w", opts.name, err)
	}
	return nil
}
