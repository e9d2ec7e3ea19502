package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/journal"
)

func init() {
	register("collections", newCollectionsReadCmd)
	register("collections", newListJournalsCmd)
	register("collections", newListFragmentsCmd)
}

// journalPollInterval is how often `collections read --follow` and `logs --follow` look for journals
// created after they started (a variable for tests).
var journalPollInterval = journal.DefaultPollInterval

// defaultDataDir is where `flowctl develop` keeps collection data.
const defaultDataDir = ".flowctl/data"

type collectionsReadOptions struct {
	collection  string
	dataDir     string
	partitions  string
	uncommitted bool
	follow      bool
	since       time.Duration
	remote      remoteReadFlags
}

func newCollectionsReadCmd(f *Factory) *cobra.Command {
	opts := &collectionsReadOptions{}
	cmd := &cobra.Command{
		Use:   "read --collection NAME",
		Short: "Print the documents of a collection as JSON lines",
		Long: `Read prints the committed documents of every journal of a collection, one JSON document per
line. With --uncommitted it prints every document as written, including documents of transactions
that were rolled back and the ACK documents that commit transactions.

With --server it reads the collection as published on the control plane of the profile (--profile;
FLOW_API_URL and FLOW_AUTH_TOKEN override it), which needs a read grant on the collection.`,
		Example: `  flowctl collections read --collection acmeCo/orders
  flowctl collections read --collection acmeCo/orders --partitions '{"include": {"region": ["EU"]}}' --follow
  flowctl collections read --collection acmeCo/orders --server --since 1h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.remote.server {
				return runRemoteRead(cmd.Context(), cmd, f, opts)
			}
			return runCollectionsRead(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.collection, "collection", "", "collection to read (required)")
	cmd.Flags().StringVar(&opts.dataDir, "data-dir", defaultDataDir, "data directory of the collections")
	cmd.Flags().StringVar(&opts.partitions, "partitions", "", `partition selector as JSON: {"include": {"field": [values]}, "exclude": {...}}`)
	cmd.Flags().BoolVar(&opts.uncommitted, "uncommitted", false, "print documents as written, uncommitted ones and ACKs included")
	cmd.Flags().BoolVar(&opts.follow, "follow", false, "keep reading new documents until interrupted")
	cmd.Flags().DurationVar(&opts.since, "since", 0, "only documents published within this duration before now, e.g. 10m")
	opts.remote.register(cmd)
	_ = cmd.MarkFlagRequired("collection")
	return cmd
}

func runCollectionsRead(ctx context.Context, f *Factory, opts *collectionsReadOptions) error {
	if opts.since < 0 {
		return cliutil.Usagef("--since must be a positive duration, not %s", opts.since)
	}
	selector := journal.Selector{}
	if opts.partitions != "" {
		var err error
		if selector, err = journal.ParseSelector([]byte(opts.partitions)); err != nil {
			return cliutil.Usagef("--partitions: %w", err)
		}
	}
	client, err := openDataDir(opts.dataDir)
	if err != nil {
		return err
	}
	list := func(ctx context.Context) ([]string, error) {
		return journal.SelectJournals(ctx, client, opts.collection, selector)
	}
	journals, err := list(ctx)
	if err != nil {
		return err
	}
	if len(journals) == 0 && !opts.follow {
		return fmt.Errorf("collection %s has no journals in %s (list them all with `flowctl collections list-journals --data-dir %s`)", opts.collection, opts.dataDir, opts.dataDir)
	}
	var notBefore time.Time
	if opts.since > 0 {
		notBefore = time.Now().Add(-opts.since)
	}
	if len(journals) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "collection %s has no journals in %s yet; waiting for its first documents\n", opts.collection, opts.dataDir)
	}
	read := journal.ReadJournalsOptions{Uncommitted: opts.uncommitted, Follow: opts.follow, List: list, PollInterval: journalPollInterval}
	return printDocs(ctx, f, client, journals, read, func(doc journal.ReadDoc) ([]byte, error) {
		if (doc.IsAck() && !opts.uncommitted) || (!notBefore.IsZero() && doc.UUID.PublishedAt().Before(notBefore)) {
			return nil, nil
		}
		return doc.Raw, nil
	})
}

// printDocs writes to stdout the line that line makes of each document of journals (nil: none), read
// or followed as read says, until they are read or, following, until interrupted.
func printDocs(ctx context.Context, f *Factory, client journal.Client, journals []string, read journal.ReadJournalsOptions, line func(journal.ReadDoc) ([]byte, error)) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	return journal.ReadJournals(ctx, client, journals, read, func(doc journal.ReadDoc) error {
		b, err := line(doc)
		if err != nil || b == nil {
			return err
		}
		if _, err := f.IO.Out.Write(b); err != nil {
			return err
		}
		_, err = f.IO.Out.Write([]byte{'\n'})
		return err
	})
}

// openDataDir opens a data directory to read; it may be written by a running `flowctl develop`.
func openDataDir(dir string) (*journal.Local, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("data directory %s does not exist: pass --data-dir, or run `flowctl develop` to create it", dir)
	}
	return journal.OpenLocal(journal.LocalOptions{DataDir: dir, ReadOnly: true})
}

type listOptions struct {
	collection string
	dataDir    string
	output     listOutput
}

func addListFlags(cmd *cobra.Command, opts *listOptions) {
	cmd.Flags().StringVar(&opts.collection, "collection", "", "only journals of this collection")
	cmd.Flags().StringVar(&opts.dataDir, "data-dir", defaultDataDir, "data directory of the collections")
	opts.output.register(cmd)
}

func newListJournalsCmd(f *Factory) *cobra.Command {
	opts := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list-journals",
		Short: "List the journals (logical partitions) of collections",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.output.check(); err != nil {
				return err
			}
			client, err := openDataDir(opts.dataDir)
			if err != nil {
				return err
			}
			infos, err := client.ListJournals(cmd.Context(), opts.collection)
			if err != nil {
				return err
			}
			if infos == nil {
				infos = []journal.JournalInfo{}
			}
			return opts.output.write(f, infos, []string{"name", "collection", "store", "codec", "length", "flush interval"}, func(t *cliutil.Table) {
				for _, j := range infos {
					codec := j.Fragments.CompressionCodec
					if codec == "" {
						codec = string(journal.CodecGzip)
					}
					t.Row(j.Name, j.Collection, storeOrDataDir(j.Store), codec, strconv.FormatInt(j.Fragments.Length, 10), j.Fragments.FlushInterval.String())
				}
			})
		},
	}
	addListFlags(cmd, opts)
	return cmd
}

func storeOrDataDir(store string) string {
	if store == "" {
		return "(data directory)"
	}
	return store
}

func newListFragmentsCmd(f *Factory) *cobra.Command {
	opts := &listOptions{}
	var journalName string
	cmd := &cobra.Command{
		Use:   "list-fragments",
		Short: "List the persisted fragment files of journals",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.output.check(); err != nil {
				return err
			}
			client, err := openDataDir(opts.dataDir)
			if err != nil {
				return err
			}
			names := []string{journalName}
			if journalName == "" {
				infos, err := client.ListJournals(cmd.Context(), opts.collection)
				if err != nil {
					return err
				}
				names = names[:0]
				for _, info := range infos {
					names = append(names, info.Name)
				}
			}
			frags := []journal.Fragment{}
			for _, name := range names {
				more, err := client.ListFragments(cmd.Context(), name)
				if err != nil {
					return err
				}
				frags = append(frags, more...)
			}
			return opts.output.write(f, frags, []string{"journal", "begin", "end", "modified", "path"}, func(t *cliutil.Table) {
				for _, fr := range frags {
					t.Row(fr.Journal, strconv.FormatInt(fr.Begin, 10), strconv.FormatInt(fr.End, 10), fr.ModTime.UTC().Format(time.RFC3339), fr.ContentPath())
				}
			})
		},
	}
	addListFlags(cmd, opts)
	cmd.Flags().StringVar(&journalName, "journal", "", "only this journal")
	return cmd
}
