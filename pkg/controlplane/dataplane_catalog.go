package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// dataPlanePrincipal reads every live spec: the data plane runs all of them, whoever published them.
var dataPlanePrincipal = &Principal{User: "flowd data plane", Grants: []api.Grant{{Prefix: "", Capability: "read"}}}

// liveCatalog builds every live spec but the tests, the way publications build drafts, and returns
// the newest publication id among them. Connector configs are taken as published: a relative file
// path in one would be relative to a temporary build directory, so published paths must be the
// server's absolute paths. Captures and materializations that policy refuses are left out (logged).
func liveCatalog(ctx context.Context, store *Store, policy ConnectorPolicy, logger *slog.Logger) (*catalog.Built, string, error) {
	live, err := store.ListLiveSpecs(ctx, dataPlanePrincipal, LiveFilter{
		Types: []api.SpecType{api.Capture, api.Collection, api.Materialization}, WithSpec: true})
	if err != nil {
		return nil, "", fmt.Errorf("listing live specs: %w", err)
	}
	specs := make(map[string]BuildSpec, len(live))
	newest := ""
	for _, l := range live {
		_, spec, err := canonicalSpec(l.Spec, l.SpecType)
		if err != nil {
			return nil, "", fmt.Errorf("live spec %s: %w", l.CatalogName, err)
		}
		newest = max(newest, l.LastPubID)
		if refused := policy.Check(l.CatalogName, l.SpecType, spec); len(refused) > 0 && l.SpecType != api.Collection {
			logger.Error("not running a task that the connector policy refuses", "task", l.CatalogName,
				"pointer", refused[0].Pointer, "reason", refused[0].Message)
			continue
		}
		specs[l.CatalogName] = BuildSpec{Type: l.SpecType, Spec: spec}
	}
	built, diags, _, err := loadAndBuild(ctx, specs)
	if err != nil {
		return nil, "", err
	}
	if diags.HasErrors() {
		return nil, "", fmt.Errorf("the live catalog does not build: %s", firstErrors(diags, 3))
	}
	return built, newest, nil
}

// firstErrors renders up to n error diagnostics on one line, and how many more there are.
func firstErrors(diags catalog.Diagnostics, n int) string {
	var msgs []string
	more := 0
	for _, d := range diags {
		if d.Severity == catalog.SeverityWarning {
			continue
		}
		if len(msgs) == n {
			more++
			continue
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", d.Pointer, d.Message))
	}
	if more > 0 {
		msgs = append(msgs, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(msgs, "; ")
}

// newRuntime prepares a runtime of the catalog over the data plane's journals.
func (d *RuntimeDataPlane) newRuntime(built *catalog.Built) *runtime.Runtime {
	return runtime.New(runtime.Options{Built: built, Client: d.journals, DataDir: d.opts.DataDir, Logger: d.opts.Logger,
		OpenDerive: d.opts.OpenDerive, RestartCaptures: true, Backoff: d.opts.Backoff, DrainTimeout: d.opts.DrainTimeout})
}
