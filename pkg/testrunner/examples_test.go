package testrunner

import (
	"context"
	"testing"

	"github.com/flowctl/flowctl/pkg/catalog"
)

func buildSource(t testing.TB, source string) *catalog.Built {
	t.Helper()
	cat, diags := catalog.Load(context.Background(), source)
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	built, diags := catalog.Build(context.Background(), cat)
	if diags.HasErrors() {
		t.Fatalf("build: %v", diags)
	}
	return built
}

// The repository's examples are the tests a user sees first: they must pass.
func TestExamplesPass(t *testing.T) {
	results, err := Run(context.Background(), buildSource(t, "../../examples/flow.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no example tests ran")
	}
	for _, r := range results {
		if !r.Passed {
			t.Errorf("%s failed: %+v", r.Name, r.Failure)
		}
	}
}
