package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/draft"
)

func newCatalogCmd(f *Factory) *cobra.Command {
	var cp controlPlaneFlags
	cmd := &cobra.Command{Use: "catalog", Short: "List, pull, publish, test and delete the specs of a control plane", Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	cp.register(cmd)
	cmd.AddCommand(newCatalogListCmd(f, &cp), newPullSpecsCmd(f, &cp), newCatalogPublishCmd(f, &cp),
		newCatalogTestCmd(f, &cp), newCatalogDeleteCmd(f, &cp), newCatalogHistoryCmd(f, &cp))
	return cmd
}

// selection is the --name/--prefix and type flags shared by list, pull-specs and delete.
type selection struct {
	names                                          []string
	prefix                                         string
	captures, collections, materializations, tests bool
}

func (s *selection) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&s.names, "name", nil, "select a spec by exact name (repeatable)")
	cmd.Flags().StringVar(&s.prefix, "prefix", "", "select every spec under a prefix, like acmeCo/team/")
	cmd.Flags().BoolVar(&s.captures, "captures", false, "select captures")
	cmd.Flags().BoolVar(&s.collections, "collections", false, "select collections and derivations")
	cmd.Flags().BoolVar(&s.materializations, "materializations", false, "select materializations")
	cmd.Flags().BoolVar(&s.tests, "tests", false, "select tests")
}

func (s *selection) filter(withSpec bool) (draft.LiveFilter, error) {
	if len(s.names) > 0 && s.prefix != "" {
		return draft.LiveFilter{}, cliutil.Usagef("--name and --prefix cannot be used together")
	}
	if s.prefix != "" && !strings.HasSuffix(s.prefix, "/") {
		return draft.LiveFilter{}, cliutil.Usagef("--prefix %q must end with '/' (did you mean %q?)", s.prefix, s.prefix+"/")
	}
	f := draft.LiveFilter{Names: s.names, Prefix: s.prefix, WithSpec: withSpec}
	for t, on := range map[api.SpecType]bool{api.Capture: s.captures, api.Collection: s.collections,
		api.Materialization: s.materializations, api.Test: s.tests} {
		if on {
			f.Types = append(f.Types, t)
		}
	}
	return f, nil
}

// pick lists the live specs that a selection the command requires picks: no selection is a usage
// error (unselected says what to pass), and none matching is a failure.
func (s *selection) pick(ctx context.Context, cp *controlPlaneFlags, withSpec bool, unselected string) (*draft.Client, []api.LiveSpec, error) {
	if len(s.names) == 0 && s.prefix == "" {
		return nil, nil, cliutil.Usagef("%s", unselected)
	}
	filter, err := s.filter(withSpec)
	if err != nil {
		return nil, nil, err
	}
	cl, _, err := cp.client()
	if err != nil {
		return nil, nil, err
	}
	specs, err := cl.LiveSpecs(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	if len(specs) == 0 {
		return nil, nil, cliutil.Failuref("no live specs you can read match the selection")
	}
	return cl, specs, nil
}

func newCatalogListCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var sel selection
	var output listOutput
	cmd := &cobra.Command{
		Use: "list", Short: "List the live specs you can read", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.check(); err != nil {
				return err
			}
			filter, err := sel.filter(!output.table())
			if err != nil {
				return err
			}
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			specs, err := cl.LiveSpecs(cmd.Context(), filter)
			if err != nil {
				return err
			}
			return output.write(f, specs, []string{"name", "type", "last publication", "by", "updated"}, func(t *cliutil.Table) {
				for _, l := range specs {
					t.Row(l.CatalogName, string(l.SpecType), l.LastPubID, l.LastPubUser, l.UpdatedAt)
				}
			})
		},
	}
	sel.register(cmd)
	output.register(cmd)
	return cmd
}

func newPullSpecsCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var sel selection
	var target string
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "pull-specs --prefix PREFIX | --name NAME [--target DIR] [--overwrite]",
		Short: "Write live specs into a Git-friendly tree of catalog files",
		Long: `Write live specs under --target: one flow.yaml per prefix directory, importing its
subdirectories' flow.yaml, with each collection's schema in a file of its own. Pulling unchanged
specs again changes no byte. Files that differ from the live specs are not overwritten without
--overwrite, and nothing is written outside --target.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, specs, err := sel.pick(cmd.Context(), cp, true, "pass --prefix PREFIX or --name NAME to choose the specs to pull")
			if err != nil {
				return err
			}
			return writeSpecs(f, specs, target, overwrite)
		},
	}
	sel.register(cmd)
	cmd.Flags().StringVar(&target, "target", ".", "directory to write into")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace local files that differ from the live specs")
	return cmd
}

func writeSpecs(f *Factory, specs []api.LiveSpec, target string, overwrite bool) error {
	files, err := draft.Tree(specs)
	if err != nil {
		return cliutil.Failure(err)
	}
	paths, err := draft.WriteTree(target, files, overwrite)
	if err != nil {
		return cliutil.Failure(err)
	}
	for _, p := range paths {
		fmt.Fprintln(f.IO.Out, p)
	}
	fmt.Fprintf(f.IO.ErrOut, "Wrote %d spec(s) into %d file(s) under %s.\n", len(specs), len(paths), target)
	return nil
}

func newCatalogPublishCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var source string
	var autoApprove bool
	cmd := &cobra.Command{
		Use:   "publish --source FILE [--auto-approve]",
		Short: "Publish a local catalog: show the plan, confirm, and commit it",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTemporaryDraft(cmd, f, cp, source, func(cl *draft.Client, id string, specs []api.DraftSpec) error {
				return publishDraft(cmd.Context(), f, cl, id, specs, autoApprove)
			})
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "the catalog file to publish (its imports are followed)")
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "publish without asking for confirmation")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func newCatalogTestCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var source string
	cmd := &cobra.Command{
		Use:   "test --source FILE",
		Short: "Build a local catalog against the live one on the control plane and run its tests, publishing nothing",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTemporaryDraft(cmd, f, cp, source, func(cl *draft.Client, id string, specs []api.DraftSpec) error {
				if _, err := cl.UpsertSpecs(cmd.Context(), id, specs); err != nil {
					return err
				}
				return testDraft(cmd.Context(), f, cl, id)
			})
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "the catalog file to test")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

// withTemporaryDraft bundles source into a new draft for fn, and deletes the draft afterwards unless
// fn published it (a publication consumes its draft).
func withTemporaryDraft(cmd *cobra.Command, f *Factory, cp *controlPlaneFlags, source string, fn func(*draft.Client, string, []api.DraftSpec) error) error {
	ctx := cmd.Context()
	specs, err := localSpecs(cmd, f, source)
	if err != nil {
		return err
	}
	cl, _, err := cp.client()
	if err != nil {
		return err
	}
	d, err := cl.CreateDraft(ctx, "flowctl catalog --source "+source)
	if err != nil {
		return err
	}
	fnErr := fn(cl, d.ID, specs)
	if _, getErr := cl.GetDraft(ctx, d.ID); getErr == nil {
		_ = cl.DeleteDraft(ctx, d.ID) // best effort: a leftover draft is harmless and listed
	}
	return fnErr
}

// localSpecs reads the specs of a local catalog for a draft. The catalog loader reads the files first,
// so that their problems are reported at file:line:col (exit 1) and a missing file is a usage error
// (exit 2), as check reports them; the server builds the specs against the live catalog.
func localSpecs(cmd *cobra.Command, f *Factory, source string) ([]api.DraftSpec, error) {
	if _, err := loadCatalog(cmd, f, source); err != nil {
		return nil, err
	}
	specs, err := draft.Bundle(source)
	if err != nil {
		return nil, cliutil.Failure(err)
	}
	if len(specs) == 0 {
		return nil, cliutil.Usagef("%s defines no captures, collections, materializations or tests", source)
	}
	return specs, nil
}

func newCatalogDeleteCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var sel selection
	var autoApprove bool
	cmd := &cobra.Command{
		Use:   "delete --name NAME | --prefix PREFIX [--dangerous-auto-approve]",
		Short: "Delete live specs by publishing their deletion",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cl, live, err := sel.pick(ctx, cp, false, "pass --name NAME or --prefix PREFIX to choose the specs to delete")
			if err != nil {
				return err
			}
			t := cliutil.NewTable(f.IO, "name", "type", "last publication")
			deletions := make([]api.DraftSpec, len(live))
			for i, l := range live {
				t.Row(l.CatalogName, string(l.SpecType), l.LastPubID)
				deletions[i] = api.DraftSpec{CatalogName: l.CatalogName, SpecType: l.SpecType, ExpectPubID: l.LastPubID}
			}
			fmt.Fprintln(f.IO.ErrOut, "These specs will be deleted:")
			if err := t.Flush(); err != nil {
				return err
			}
			if !autoApprove {
				if err := confirm(ctx, f, fmt.Sprintf("Delete %d spec(s)?", len(live)), "--dangerous-auto-approve", "delete"); err != nil {
					return err
				}
			}
			d, err := cl.CreateDraft(ctx, "flowctl catalog delete")
			if err != nil {
				return err
			}
			if _, err := cl.UpsertSpecs(ctx, d.ID, deletions); err != nil {
				_ = cl.DeleteDraft(ctx, d.ID)
				return err
			}
			pub, err := cl.Publish(ctx, d.ID, api.PublishRequest{Detail: "flowctl catalog delete"})
			if err != nil {
				_ = cl.DeleteDraft(ctx, d.ID)
				return apiError(err)
			}
			fmt.Fprintf(f.IO.ErrOut, "Deleted %d spec(s) in publication %s.\n", len(pub.Deleted), pub.ID)
			return nil
		},
	}
	sel.register(cmd)
	cmd.Flags().BoolVar(&autoApprove, "dangerous-auto-approve", false, "delete without asking for confirmation")
	return cmd
}

func newCatalogHistoryCmd(f *Factory, cp *controlPlaneFlags) *cobra.Command {
	var name string
	var output listOutput
	cmd := &cobra.Command{
		Use: "history --name NAME", Short: "List the publications of a spec", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.check(); err != nil {
				return err
			}
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			hist, err := cl.History(cmd.Context(), name)
			if err != nil {
				return err
			}
			return output.write(f, hist, []string{"publication", "change", "by", "published", "detail"}, func(t *cliutil.Table) {
				for _, h := range hist {
					change := "published"
					if string(h.Spec) == "null" {
						change = "deleted"
					}
					t.Row(h.PubID, change, h.User, h.PublishedAt, h.Detail)
				}
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the spec's catalog name")
	output.register(cmd)
	_ = cmd.MarkFlagRequired("name")
	return cmd
}
