package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
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
	journals, err := selectJournals(ctx, client, opts.collection, selector)
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
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	out := &lockedWriter{w: f.IO.Out}
	read := func(ctx context.Context, name string) error {
		next, closeFn, err := openDocs(ctx, client, name, opts.uncommitted, opts.follow)
		if err != nil {
			return err
		}
		defer closeFn()
		for {
			doc, err := next(ctx)
			if errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if (doc.IsAck() && !opts.uncommitted) || (!notBefore.IsZero() && doc.UUID.PublishedAt().Before(notBefore)) {
				continue
			}
			if err := out.writeLine(doc.Raw); err != nil {
				return err
			}
		}
	}
	if !opts.follow {
		for _, name := range journals {
			if err := read(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}
	if len(journals) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "collection %s has no journals in %s yet; waiting for its first documents\n", opts.collection, opts.dataDir)
	}
	return followJournals(ctx, journals, read, func(ctx context.Context) ([]string, error) {
		return selectJournals(ctx, client, opts.collection, selector)
	})
}

// openDocs returns a function reading the documents of one journal, committed or as written.
func openDocs(ctx context.Context, client journal.Client, name string, uncommitted, follow bool) (func(context.Context) (journal.ReadDoc, error), func() error, error) {
	if uncommitted {
		chunks, err := client.Read(ctx, journal.ReadRequest{Journal: name, Block: follow})
		if err != nil {
			return nil, nil, err
		}
		lines := journal.NewLineReader(chunks, false)
		return lines.Next, lines.Close, nil
	}
	r, err := journal.ReadCommitted(ctx, client, name, journal.Checkpoint{}, follow)
	if err != nil {
		return nil, nil, err
	}
	return r.Next, r.Close, nil
}

// lockedWriter writes whole lines from concurrent readers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) writeLine(b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(b); err != nil {
		return err
	}
	_, err := l.w.Write([]byte{'\n'})
	return err
}

// openDataDir opens a data directory to read; it may be written by a running `flowctl develop`.
func openDataDir(dir string) (*journal.Local, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("data directory %s does not exist: pass --data-dir, or run `flowctl develop` to create it", dir)
	}
	return journal.OpenLocal(journal.LocalOptions{DataDir: dir, ReadOnly: true})
}

// selectJournals lists the journals of a collection that the selector picks, in name order.
func selectJournals(ctx context.Context, client journal.Client, collection string, sel journal.Selector) ([]string, error) {
	infos, err := client.ListJournals(ctx, collection)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, info := range infos {
		ok, err := sel.MatchesJournal(info.Template, info.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			names = append(names, info.Name)
		}
	}
	return names, nil
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
