package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/generate"
)

func init() { register("", newGenerateCmd) }

type generateOptions struct {
	source  string
	target  string
	sql     bool
	dialect string
}

func newGenerateCmd(f *Factory) *cobra.Command {
	opts := &generateOptions{}
	cmd := &cobra.Command{
		Use:   "generate --source FILE|URL [--target DIR] | --sql [--dialect sqlite|postgres]",
		Short: "Generate TypeScript types, starter files and SQL tables from a catalog",
		Long: `Generate writes the files a catalog's developer works with:

  - flow_generated/typescript/<collection>.ts for every collection: the Document type of its
    schema, and for a TypeScript derivation the Source type of each transform and the IDerivation
    class its module extends; plus deno.json mapping the flow/ imports onto them;
  - a starter for every derivation file the catalog names that does not exist yet (TypeScript
    modules, SQLite migrations and lambdas), where the catalog says it is. Starters are yours:
    they are never overwritten.

Files go under the project root: the directory of the source, or the highest parent directory
holding a flow.yaml, flow.yml or flow.json; --target chooses another. Output is deterministic, and
files whose content would not change are left untouched.

With --sql, generate prints instead the CREATE TABLE statements that the built-in SQL
materializations run for every binding, from its field selection, in the dialect of each
materialization's connector, or the one --dialect names.`,
		Example: "  flowctl generate --source flow.yaml\n  flowctl generate --source flow.yaml --sql --dialect postgres",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGenerate(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVar(&opts.target, "target", "", "project root to write generated files under (default: found from --source)")
	cmd.Flags().BoolVar(&opts.sql, "sql", false, "print the CREATE TABLE statements of materialization bindings instead")
	cmd.Flags().StringVar(&opts.dialect, "dialect", "", "SQL dialect for --sql: sqlite or postgres (default: each materialization's own)")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func runGenerate(cmd *cobra.Command, f *Factory, opts *generateOptions) error {
	if opts.dialect != "" && !opts.sql {
		return cliutil.Usagef("--dialect applies only with --sql")
	}
	if opts.sql && opts.target != "" {
		return cliutil.Usagef("--target does not apply with --sql, which prints to stdout")
	}
	if opts.sql {
		return runGenerateSQL(cmd, f, opts)
	}
	target := opts.target
	if target != "" {
		abs, err := filepath.Abs(target)
		if err != nil {
			return cliutil.Usagef("--target %s: %v", target, err)
		}
		target = abs
	}
	res, diags, err := generate.Generate(cmd.Context(), opts.source, target)
	if err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if diags.HasErrors() {
		return cliutil.Failuref("%s has %s; nothing was generated", opts.source, countErrors(diags))
	}
	written, err := generate.WriteFiles(res.Files)
	for _, path := range written {
		fmt.Fprintf(f.IO.ErrOut, "wrote %s\n", displayPath(path))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%d written, %d unchanged, under %s\n", len(written), len(res.Files)-len(written), displayPath(res.Root))
	return nil
}

// displayPath shows a path relative to the working directory when it is below it.
func displayPath(path string) string {
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return path
}

func runGenerateSQL(cmd *cobra.Command, f *Factory, opts *generateOptions) error {
	dialect := generate.Dialect(opts.dialect)
	if dialect != "" && dialect != generate.SQLite && dialect != generate.Postgres {
		return cliutil.Usagef("--dialect %q: use sqlite or postgres", opts.dialect)
	}
	built, err := buildForRun(cmd, f, opts.source)
	if err != nil {
		return err
	}
	tables, skipped, err := generate.SQLTables(cmd.Context(), built, dialect)
	if err != nil {
		return cliutil.Failure(err)
	}
	for _, name := range skipped {
		fmt.Fprintf(f.IO.ErrOut, "skipped materialization %s: its connector is not a built-in SQL materialization (choose a --dialect to render it anyway)\n", name)
	}
	_, err = fmt.Fprint(f.IO.Out, generate.RenderSQL(tables))
	return err
}
