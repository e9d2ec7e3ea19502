package testrunner

import (
	"context"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/journal"
)

// BenchmarkExamples is the wall time of running every example test (what `flowctl test` spends
// after building the catalog), opening the derivation engines included.
func BenchmarkExamples(b *testing.B) {
	built := catalogtest.BuildFile(b, "../../examples/flow.yaml")
	for b.Loop() {
		if _, err := Run(context.Background(), built, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrivialTest is the overhead of one test that ingests a document into a captured
// collection and verifies it, with the example derivations open (and reset after the test).
func BenchmarkTrivialTest(b *testing.B) {
	built := catalogtest.BuildFile(b, "../../examples/flow.yaml")
	r, err := New(context.Background(), built, DefaultStart)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	test := built.Tests[len(built.Tests)-1] // shop/tests/orders-by-region: ingest then verify
	for b.Loop() {
		if res, err := r.RunTest(context.Background(), test); err != nil || !res.Passed {
			b.Fatal(err, res.Failure)
		}
	}
}

// BenchmarkExamplesLocalJournals is BenchmarkExamples with the collections' journals in a
// journal.Local data directory (fsynced appends) instead of in memory: the figure that chose
// memory for `flowctl test`.
func BenchmarkExamplesLocalJournals(b *testing.B) {
	built := catalogtest.BuildFile(b, "../../examples/flow.yaml")
	ctx := context.Background()
	for b.Loop() {
		local, err := journal.OpenLocal(journal.LocalOptions{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range built.Collections {
			if err := local.AddCollection(journal.CollectionSpec{Name: c.Name, PartitionFields: c.PartitionFields}); err != nil {
				b.Fatal(err)
			}
		}
		r, err := newRunner(ctx, built, runnerConfig{writes: local})
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range built.Tests {
			if res, err := r.RunTest(ctx, t); err != nil || !res.Passed {
				b.Fatal(err, res.Failure)
			}
		}
		r.Close()
		local.Close()
	}
}
