package testrunner

import (
	"context"
	"testing"
)

// BenchmarkExamples is the wall time of running every example test (what `flowctl test` spends
// after building the catalog), opening the derivation engines included.
func BenchmarkExamples(b *testing.B) {
	built := buildSource(b, "../../examples/flow.yaml")
	for b.Loop() {
		if _, err := Run(context.Background(), built, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrivialTest is the overhead of one test that ingests a document into a captured
// collection and verifies it, with the example derivations open (and reset after the test).
func BenchmarkTrivialTest(b *testing.B) {
	built := buildSource(b, "../../examples/flow.yaml")
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
