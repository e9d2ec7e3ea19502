package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/generate"
	"github.com/flowctl/flowctl/pkg/testrunner"
)

func init() { register("", newTestCmd) }

type testOptions struct {
	source   string
	filter   string
	junit    string
	output   string
	snapshot string
}

func newTestCmd(f *Factory) *cobra.Command {
	opts := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test --source FILE|URL",
		Short: "Run a catalog's tests offline, with Flow's semantics",
		Long: `Test builds the catalog and runs its tests in one process, in Flow's order (by file, then
name), on a synthetic clock: read delays cost no time and every run is the same. Ingested
documents are combined by key and committed as one transaction; SQLite derivations run until
nothing is left to read; each verify step fully reduces what its test wrote to the collection
and compares it with the expected documents, which actual documents may extend with more
properties (Flow's rule; /_meta/uuid is ignored).

It prints one line per test and, for a failure, the step, the key and the differences by JSON
pointer, then "N passed, M failed". Exit status is 0 when every test passed, 1 when one failed
or there are no tests, 2 when the tests could not run (an invalid catalog, a runtime error).`,
		Example: "  flowctl test --source flow.yaml\n  flowctl test --source flow.yaml --filter 'orders' --junit report.xml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTest(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVar(&opts.filter, "filter", "", "run only tests whose name matches this regular expression")
	cmd.Flags().StringVar(&opts.junit, "junit", "", "also write a JUnit XML report to this file")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&opts.snapshot, "snapshot", "", "write the actual documents of each verify step to DIR/<test>/verify-<step>.json")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func runTest(cmd *cobra.Command, f *Factory, opts *testOptions) error {
	if err := cliutil.CheckOutput(opts.output, "text", cliutil.OutputJSON); err != nil {
		return err
	}
	runOpts := testrunner.Options{}
	if opts.filter != "" {
		re, err := regexp.Compile(opts.filter)
		if err != nil {
			return cliutil.Usagef("--filter %q is not a regular expression: %v", opts.filter, err)
		}
		runOpts.Filter = re
	}
	// Unlike other commands, test exits 2 for an invalid catalog: its tests could not run, and CI
	// must tell that apart from tests that ran and failed (exit 1).
	built, err := buildForRun(cmd, f, opts.source)
	var invalid *cliutil.FailureError
	if errors.As(err, &invalid) {
		return invalid.Err
	} else if err != nil {
		return err
	}
	if opts.output == "text" {
		runOpts.OnResult = func(r testrunner.Result) { printResult(f.IO.Out, r) }
	}
	began := time.Now()
	results, err := testrunner.Run(cmd.Context(), built, runOpts)
	if err != nil {
		return fmt.Errorf("tests could not run: %w", err)
	}
	elapsed := time.Since(began)
	if err := writeTestArtifacts(opts, results, elapsed); err != nil {
		return err
	}
	passed := 0
	for _, r := range results {
		if r.Passed {
			passed++
		}
	}
	failed := len(results) - passed
	if opts.output == cliutil.OutputJSON {
		if err := cliutil.WriteJSON(f.IO.Out, testReport{Results: nonNil(results), Passed: passed, Failed: failed}); err != nil {
			return err
		}
	} else if len(results) > 0 {
		fmt.Fprintf(f.IO.Out, "%d passed, %d failed (%s)\n", passed, failed, roundDuration(elapsed))
	}
	switch {
	case len(results) == 0 && opts.filter != "":
		return cliutil.Failuref("no test of %s matches --filter %q", opts.source, opts.filter)
	case len(results) == 0:
		return cliutil.Failuref("%s has no tests: nothing was verified", opts.source)
	case failed > 0:
		return &cliutil.SilentError{Code: cliutil.ExitFailure}
	}
	return nil
}

// testReport is the --output json form.
type testReport struct {
	Results []testrunner.Result `json:"results"`
	Passed  int                 `json:"passed"`
	Failed  int                 `json:"failed"`
}

func nonNil(r []testrunner.Result) []testrunner.Result {
	if r == nil {
		return []testrunner.Result{}
	}
	return r
}

func printResult(w io.Writer, r testrunner.Result) {
	if r.Passed {
		fmt.Fprintf(w, "PASS %s (%s)\n", r.Name, roundDuration(r.Duration))
		return
	}
	fmt.Fprintf(w, "FAIL %s (%s)\n", r.Name, roundDuration(r.Duration))
	fl := r.Failure
	fmt.Fprintf(w, "  step %d, verify %s at %s: actual and expected document(s) did not match:\n",
		fl.Step, fl.Collection, fl.Location)
	for _, m := range fl.Mismatches {
		switch m.Kind {
		case "missing":
			fmt.Fprintf(w, "    missing expected document at index %d, key %s: %s\n", m.Index, m.Key, doc.Append(nil, m.Expected))
		case "unexpected":
			fmt.Fprintf(w, "    unexpected actual document at index %d, key %s: %s\n", m.Index, m.Key, doc.Append(nil, m.Actual))
		default:
			fmt.Fprintf(w, "    document at index %d, key %s:\n", m.Index, m.Key)
			for _, d := range m.Diffs {
				actual := "missing"
				if !d.ActualMissing {
					actual = string(doc.Append(nil, d.Actual))
				}
				fmt.Fprintf(w, "      %s: expected %s, actual %s\n", pointerOrRoot(d.Pointer), doc.Append(nil, d.Expected), actual)
			}
		}
	}
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}

// roundDuration keeps times readable: microseconds below a millisecond, else milliseconds.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

// writeTestArtifacts writes the JUnit report and the verify snapshots, each file atomically.
func writeTestArtifacts(opts *testOptions, results []testrunner.Result, elapsed time.Duration) error {
	var files []generate.File
	if opts.junit != "" {
		content, err := junitReport(results, elapsed)
		if err != nil {
			return err
		}
		path, err := filepath.Abs(opts.junit)
		if err != nil {
			return err
		}
		files = append(files, generate.File{Path: path, Content: content})
	}
	if opts.snapshot != "" {
		for _, r := range results {
			for _, v := range r.Verified {
				content, err := json.MarshalIndent(v.Actual, "", "  ")
				if err != nil {
					return err
				}
				path, err := filepath.Abs(filepath.Join(opts.snapshot, filepath.FromSlash(r.Name), fmt.Sprintf("verify-%d.json", v.Step)))
				if err != nil {
					return err
				}
				files = append(files, generate.File{Path: path, Content: append(content, '\n')})
			}
		}
	}
	_, err := generate.WriteFiles(files)
	return err
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Detail  string `xml:",chardata"`
}

func junitReport(results []testrunner.Result, elapsed time.Duration) ([]byte, error) {
	suite := junitSuite{Name: "flowctl test", Tests: len(results), Time: seconds(elapsed)}
	for _, r := range results {
		c := junitCase{Name: r.Name, Time: seconds(r.Duration)}
		if !r.Passed {
			suite.Failures++
			var detail strings.Builder
			printResult(&detail, r)
			c.Failure = &junitFailure{Message: fmt.Sprintf("verify step %d of %s did not match", r.Failure.Step, r.Failure.Collection),
				Detail: detail.String()}
		}
		suite.Cases = append(suite.Cases, c)
	}
	out, err := xml.MarshalIndent(suite, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
