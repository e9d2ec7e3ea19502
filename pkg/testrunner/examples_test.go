package testrunner

import (
	"context"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
)

// The repository's examples are the tests a user sees first: they must pass.
func TestExamplesPass(t *testing.T) {
	results, err := Run(context.Background(), catalogtest.BuildFile(t, "../../examples/flow.yaml"), Options{})
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
