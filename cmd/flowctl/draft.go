package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/draft"
)

func newDraftCmd(f *Factory) *cobra.Command {
	var cp controlPlaneFlags
	cmd := &cobra.Command{Use: "draft", Short: "Author drafts on the control plane, test and publish them", Args: unknownSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	cp.register(cmd)

	var detail string
	create := &cobra.Command{
		Use: "create", Short: "Create an empty draft and select it", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			d, err := cl.CreateDraft(cmd.Context(), detail)
			if err != nil {
				return err
			}
			if err := selectDraft(&cp, d.ID); err != nil {
				return err
			}
			fmt.Fprintln(f.IO.Out, d.ID)
			fmt.Fprintf(f.IO.ErrOut, "Created and selected draft %s.\n", d.ID)
			return nil
		},
	}
	create.Flags().StringVar(&detail, "detail", "", "a description of the draft")

	var id string
	selectCmd := &cobra.Command{
		Use: "select --id ID", Short: "Select the draft that other draft commands work on", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, _, err := cp.client()
			if err != nil {
				return err
			}
			if _, err := cl.GetDraft(cmd.Context(), id); err != nil {
				return err
			}
			return selectDraft(&cp, id)
		},
	}
	selectCmd.Flags().StringVar(&id, "id", "", "the draft's id (see flowctl draft list)")
	_ = selectCmd.MarkFlagRequired("id")

	var output listOutput
	list := &cobra.Command{
		Use: "list", Short: "List your drafts; the selected one is marked with *", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.check(); err != nil {
				return err
			}
			cl, p, err := cp.client()
			if err != nil {
				return err
			}
			drafts, err := cl.ListDrafts(cmd.Context())
			if err != nil {
				return err
			}
			return output.write(f, drafts, []string{"", "id", "specs", "updated", "detail"}, func(t *cliutil.Table) {
				for _, d := range drafts {
					mark := " "
					if d.ID == p.Draft {
						mark = "*"
					}
					t.Row(mark, d.ID, fmt.Sprint(d.NumSpecs), d.UpdatedAt, d.Detail)
				}
			})
		},
	}
	output.register(list)

	var source string
	author := &cobra.Command{
		Use: "author --source FILE", Short: "Add the specs of a local catalog to the selected draft", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, p, err := selectedDraft(&cp)
			if err != nil {
				return err
			}
			specs, err := localSpecs(cmd, f, source)
			if err != nil {
				return err
			}
			d, err := cl.UpsertSpecs(cmd.Context(), p.Draft, specs)
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Authored %d spec(s); draft %s now has %d.\n", len(specs), d.ID, d.NumSpecs)
			return nil
		},
	}
	author.Flags().StringVar(&source, "source", "", "the catalog file to add (its imports are followed)")
	_ = author.MarkFlagRequired("source")

	var target string
	var overwrite bool
	develop := &cobra.Command{
		Use: "develop --target DIR", Short: "Write the selected draft's specs to local catalog files", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, d, err := getSelectedDraft(cmd.Context(), &cp)
			if err != nil {
				return err
			}
			var specs []api.LiveSpec
			for _, ds := range d.Specs {
				if !ds.IsDeletion() {
					specs = append(specs, api.LiveSpec{CatalogName: ds.CatalogName, SpecType: ds.SpecType, Spec: ds.Spec})
				}
			}
			return writeSpecs(f, specs, target, overwrite)
		},
	}
	develop.Flags().StringVar(&target, "target", ".", "directory to write flow.yaml files into")
	develop.Flags().BoolVar(&overwrite, "overwrite", false, "replace files that differ from the draft")

	test := &cobra.Command{
		Use: "test", Short: "Build the selected draft against the live catalog and run its tests, publishing nothing", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, p, err := selectedDraft(&cp)
			if err != nil {
				return err
			}
			return testDraft(cmd.Context(), f, cl, p.Draft)
		},
	}

	var autoApprove bool
	publish := &cobra.Command{
		Use: "publish [--auto-approve]", Short: "Show the selected draft's plan, confirm, and publish it", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, d, err := getSelectedDraft(cmd.Context(), &cp)
			if err != nil {
				return err
			}
			if err := publishDraft(cmd.Context(), f, cl, d.ID, d.Specs, autoApprove); err != nil {
				return err
			}
			return selectDraft(&cp, "")
		},
	}
	publish.Flags().BoolVar(&autoApprove, "auto-approve", false, "publish without asking for confirmation")

	deleteCmd := &cobra.Command{
		Use: "delete", Short: "Delete the selected draft", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, p, err := selectedDraft(&cp)
			if err != nil {
				return err
			}
			if err := cl.DeleteDraft(cmd.Context(), p.Draft); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Deleted draft %s.\n", p.Draft)
			return selectDraft(&cp, "")
		},
	}
	cmd.AddCommand(create, selectCmd, list, author, develop, test, publish, deleteCmd)
	return cmd
}

func selectDraft(cp *controlPlaneFlags, id string) error {
	p, dir, err := cp.load()
	if err != nil {
		return err
	}
	p.Draft = id
	return cp.save(dir, p)
}

func selectedDraft(cp *controlPlaneFlags) (*draft.Client, draft.Profile, error) {
	cl, p, err := cp.client()
	if err != nil {
		return nil, p, err
	}
	if p.Draft == "" {
		return nil, p, cliutil.Usagef("no draft is selected: run `flowctl draft create` or `flowctl draft select --id ID`")
	}
	return cl, p, nil
}

// getSelectedDraft fetches the selected draft with its specs.
func getSelectedDraft(ctx context.Context, cp *controlPlaneFlags) (*draft.Client, api.Draft, error) {
	cl, p, err := selectedDraft(cp)
	if err != nil {
		return nil, api.Draft{}, err
	}
	d, err := cl.GetDraft(ctx, p.Draft)
	return cl, d, err
}

// testDraft builds a draft against the live catalog and runs its tests, publishing nothing.
func testDraft(ctx context.Context, f *Factory, cl *draft.Client, draftID string) error {
	pub, err := cl.Publish(ctx, draftID, api.PublishRequest{DryRun: true})
	if err != nil {
		return apiError(err)
	}
	fmt.Fprintf(f.IO.ErrOut, "The draft builds: %d spec(s) would be published and %d deleted.\n", len(pub.Published), len(pub.Deleted))
	if pub.TestsSkipped != "" {
		fmt.Fprintf(f.IO.ErrOut, "Tests were not run: %s.\n", pub.TestsSkipped)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "%d test(s) passed.\n", pub.TestsRun)
	}
	return nil
}

// publishDraft shows the plan of a draft's specs against the live catalog, asks for confirmation,
// prunes unchanged specs, pins each remaining one to the live version the plan was made from, and
// publishes.
func publishDraft(ctx context.Context, f *Factory, cl *draft.Client, draftID string, specs []api.DraftSpec, autoApprove bool) error {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.CatalogName
	}
	live, err := cl.LiveSpecs(ctx, draft.LiveFilter{Names: names, WithSpec: true})
	if err != nil {
		return err
	}
	plan, err := draft.NewPlan(specs, live)
	if err != nil {
		return cliutil.Failure(err)
	}
	if err := plan.Render(f.IO.Out, f.IO.ColorStdout()); err != nil {
		return err
	}
	toPublish := plan.ToPublish()
	if len(toPublish) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "Nothing to publish: every spec matches its live version.")
		return cl.DeleteDraft(ctx, draftID)
	}
	if !autoApprove {
		if err := confirm(ctx, f, "Publish these changes?", "--auto-approve", "y"); err != nil {
			return err
		}
	}
	if unchanged := len(specs) - len(toPublish); unchanged > 0 {
		var drop []string
		for _, c := range plan.Changes {
			if c.Kind == draft.Unchanged {
				drop = append(drop, c.Spec.CatalogName)
			}
		}
		if _, err := cl.RemoveSpecs(ctx, draftID, drop); err != nil {
			return err
		}
	}
	if _, err := cl.UpsertSpecs(ctx, draftID, toPublish); err != nil {
		return err
	}
	pub, err := cl.Publish(ctx, draftID, api.PublishRequest{Detail: "flowctl publish"})
	if err != nil {
		return apiError(err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Published %d spec(s) and deleted %d in publication %s.\n", len(pub.Published), len(pub.Deleted), pub.ID)
	return nil
}
