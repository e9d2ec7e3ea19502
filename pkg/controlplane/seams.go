package controlplane

import (
	"context"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// BuildSpec is one spec of the catalog a publication builds.
type BuildSpec struct {
	Type api.SpecType
	// Spec is the decoded JSON (UseNumber): a map[string]any, or a []any for a legacy test.
	Spec any
}

// Builder checks the catalog a publication would make live: the draft's specs merged over the live
// specs they touch or reference. Drafted names the specs the draft changes; problems of the other
// specs are theirs to fix and are not reported. Until pkg/catalog's Build is wired in, StructuralBuilder
// is the default.
type Builder interface {
	Build(ctx context.Context, specs map[string]BuildSpec, drafted []string) []api.BuildError
}

// TestRunner runs a catalog's tests for dry runs and for publications that ask for them. It returns
// how many tests ran and a BuildError for each failure. flowd has none until pkg/testrunner lands.
type TestRunner interface {
	RunTests(ctx context.Context, specs map[string]BuildSpec) (ran int, failures []api.BuildError, err error)
}

// DataPlane is told about every committed publication, so that it starts, replaces or stops the
// captures, derivations and materializations it changed. Spec is nil for a deleted spec. Apply runs
// after the commit: a data-plane error does not undo a publication; the data plane must converge on
// the live specs (it can read them all with Store.ListLiveSpecs).
type DataPlane interface {
	Apply(ctx context.Context, pubID string, changed []api.LiveSpec) error
}
