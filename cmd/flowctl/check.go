package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/catalog"
)

func init() { register("", newCheckCmd) }

type checkOptions struct {
	source string
	output string
}

func newCheckCmd(f *Factory) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check --source FILE|URL",
		Short: "Load and check a catalog, reporting every error with its file:line:col",
		Long: `Check loads a catalog with everything it imports and references, builds it, and reports
every problem found, each at the file, line and column of the offending value.

Connectors are not needed: endpoint configurations are not validated.
Exit status is 0 when the catalog is valid, 1 when it has errors, 2 when it cannot be read.`,
		Example: "  flowctl check --source flow.yaml\n  flowctl check --source flow.yaml --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

// checkReport is the --output json form.
type checkReport struct {
	Source      string               `json:"source"`
	Valid       bool                 `json:"valid"`
	Diagnostics []catalog.Diagnostic `json:"diagnostics"`
	Counts      map[string]int       `json:"counts,omitempty"`
}

func runCheck(cmd *cobra.Command, f *Factory, opts *checkOptions) error {
	if err := cliutil.CheckOutput(opts.output, "text", cliutil.OutputJSON); err != nil {
		return err
	}
	built, diags, err := loadAndBuild(cmd, opts.source)
	if err != nil {
		return err
	}
	if opts.output == cliutil.OutputJSON {
		report := checkReport{Source: opts.source, Valid: !diags.HasErrors(), Diagnostics: diags}
		if report.Diagnostics == nil {
			report.Diagnostics = []catalog.Diagnostic{}
		}
		if built != nil {
			report.Counts = map[string]int{
				"collections": len(built.Collections), "captures": len(built.Captures),
				"materializations": len(built.Materializations), "tests": len(built.Tests),
			}
		}
		if err := cliutil.WriteJSON(f.IO.Out, report); err != nil {
			return err
		}
		if diags.HasErrors() {
			return &cliutil.SilentError{Code: cliutil.ExitFailure}
		}
		return nil
	}
	for _, d := range diags {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if diags.HasErrors() {
		return cliutil.Failuref("%s has %s", opts.source, countErrors(diags))
	}
	fmt.Fprintf(f.IO.Out, "%s is valid: %d collections, %d captures, %d materializations, %d tests\n", opts.source,
		len(built.Collections), len(built.Captures), len(built.Materializations), len(built.Tests))
	return nil
}

// loadAndBuild loads and builds a catalog. An unreadable source is an error (exit 2); problems
// inside the catalog are returned as diagnostics.
func loadAndBuild(cmd *cobra.Command, source string) (*catalog.Built, catalog.Diagnostics, error) {
	cat, diags := catalog.Load(cmd.Context(), source)
	if cat == nil {
		return nil, nil, fmt.Errorf("cannot load %s:\n%s", source, diags.Error())
	}
	built, buildDiags := catalog.Build(cmd.Context(), cat)
	return built, append(diags, buildDiags...).Sort(), nil
}

// loadCatalog loads a catalog without building it, for commands that need only its files: spec and
// discover need only an endpoint (discover runs before the collections it creates exist), bundle
// and drafts leave the build to whoever reads them.
func loadCatalog(cmd *cobra.Command, f *Factory, source string) (*catalog.Catalog, error) {
	cat, diags := catalog.Load(cmd.Context(), source)
	if cat == nil {
		return nil, fmt.Errorf("cannot load %s:\n%s", source, diags.Error())
	}
	if diags.HasErrors() {
		return nil, reportDiagnostics(f, source, diags)
	}
	return cat, nil
}

// buildForRun loads and builds the catalog that a command goes on to run. Diagnostics go to stderr; an
// invalid catalog is a failure (exit 1) that points at `flowctl check`.
func buildForRun(cmd *cobra.Command, f *Factory, source string) (*catalog.Built, error) {
	built, diags, err := loadAndBuild(cmd, source)
	if err != nil {
		return nil, err
	}
	if err := reportDiagnostics(f, source, diags); err != nil {
		return nil, err
	}
	return built, nil
}

// reportDiagnostics prints a catalog's diagnostics to stderr and, when any is an error, returns the
// failure (exit 1) that points at `flowctl check`.
func reportDiagnostics(f *Factory, source string, diags catalog.Diagnostics) error {
	for _, d := range diags {
		fmt.Fprintln(f.IO.ErrOut, d.String())
	}
	if diags.HasErrors() {
		return cliutil.Failuref("%s has %s; run `flowctl check --source %s` for details", source, countErrors(diags), source)
	}
	return nil
}

func countErrors(diags catalog.Diagnostics) string {
	n := 0
	for _, d := range diags {
		if d.Severity == catalog.SeverityError {
			n++
		}
	}
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}
