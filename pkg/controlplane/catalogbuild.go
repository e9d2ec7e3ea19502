package controlplane

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/testrunner"
)

// CatalogBuilder builds publications with pkg/catalog, as `flowctl check` does, and runs their tests
// with pkg/testrunner. The catalog it builds is written to a temporary file, loaded and built; every
// diagnostic's JSON pointer into that file is mapped back to a spec name and a pointer in the spec.
type CatalogBuilder struct {
	// Connectors is what drafted tasks may run; the zero value allows built-ins without file paths.
	Connectors ConnectorPolicy
}

// Build implements Builder.
func (b CatalogBuilder) Build(ctx context.Context, specs map[string]BuildSpec, drafted []string) []api.BuildError {
	var errs []api.BuildError
	for _, name := range drafted {
		errs = append(errs, checkSelfContained(name, specs[name].Type, specs[name].Spec)...)
		errs = append(errs, b.Connectors.Check(name, specs[name].Type, specs[name].Spec)...)
	}
	if len(errs) > 0 {
		return errs // never hand pkg/catalog a spec that would make it fetch files
	}
	isDrafted := map[string]bool{}
	for _, n := range drafted {
		isDrafted[n] = true
	}
	_, diags, source, err := loadAndBuild(ctx, specs)
	if err != nil {
		return []api.BuildError{{Message: "building the catalog: " + err.Error()}}
	}
	for _, d := range diags {
		if d.Severity == catalog.SeverityWarning {
			continue
		}
		name, ptr := specOfPointer(d.Pointer)
		// Problems of live specs the draft does not touch are theirs, not this draft's.
		if name != "" && !isDrafted[name] {
			continue
		}
		// The temporary file means nothing to the user and its path is the server's business; say
		// "draft" where messages name it, as a URL or as a path.
		msg := strings.ReplaceAll(d.Message, source, "draft")
		if u, err := url.Parse(source); err == nil {
			msg = strings.ReplaceAll(msg, filepath.FromSlash(u.Path), "draft")
		}
		if d.Hint != "" {
			msg += " (" + d.Hint + ")"
		}
		errs = append(errs, api.BuildError{CatalogName: name, Pointer: ptr, Message: msg})
	}
	return errs
}

// RunTests implements TestRunner.
func (CatalogBuilder) RunTests(ctx context.Context, specs map[string]BuildSpec) (int, []api.BuildError, error) {
	built, diags, _, err := loadAndBuild(ctx, specs)
	if err != nil {
		return 0, nil, err
	}
	if diags.HasErrors() {
		return 0, nil, fmt.Errorf("the catalog does not build, so its tests cannot run")
	}
	results, err := testrunner.Run(ctx, built, testrunner.Options{})
	if err != nil {
		return len(results), nil, err
	}
	var failures []api.BuildError
	for _, r := range results {
		if r.Passed || r.Failure == nil {
			continue
		}
		detail, _ := json.Marshal(r.Failure.Mismatches)
		failures = append(failures, api.BuildError{CatalogName: r.Name, Pointer: fmt.Sprintf("/steps/%d", r.Failure.Step-1),
			Message: fmt.Sprintf("verify of %s did not match: %s", r.Failure.Collection, detail)})
	}
	return len(results), failures, nil
}

// loadAndBuild writes specs as one catalog file in a temporary directory and builds it. It returns
// the file's URL too, which diagnostics may quote.
func loadAndBuild(ctx context.Context, specs map[string]BuildSpec) (*catalog.Built, catalog.Diagnostics, string, error) {
	doc := map[string]map[string]any{}
	for name, s := range specs {
		section := sectionOf[s.Type]
		if doc[section] == nil {
			doc[section] = map[string]any{}
		}
		doc[section][name] = s.Spec
	}
	dir, err := os.MkdirTemp("", "flowd-build-")
	if err != nil {
		return nil, nil, "", err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flow.json")
	source := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, source, err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, nil, source, err
	}
	cat, diags := catalog.Load(ctx, path)
	if cat == nil {
		return nil, diags, source, fmt.Errorf("the catalog could not be loaded: %v", diags)
	}
	// checkSelfContained should have refused anything that makes the loader read another file; if it
	// ever misses one, refuse the build rather than use what the server read.
	for u := range cat.Resources {
		if u != source {
			return nil, diags, source, fmt.Errorf("the specs made the loader read %s; flowd builds only self-contained specs", u)
		}
	}
	built, more := catalog.Build(ctx, cat)
	return built, append(diags, more...), source, nil
}

var sectionOf = map[api.SpecType]string{
	api.Capture: "captures", api.Collection: "collections", api.Materialization: "materializations", api.Test: "tests",
}

// specOfPointer splits a pointer into the built catalog file, /collections/acmeCo~1orders/key/0,
// into the spec's name and the pointer inside the spec.
func specOfPointer(ptr string) (name, inner string) {
	tokens := strings.SplitN(strings.TrimPrefix(ptr, "/"), "/", 3)
	if len(tokens) < 2 {
		return "", ptr
	}
	name = strings.ReplaceAll(strings.ReplaceAll(tokens[1], "~1", "/"), "~0", "~")
	if len(tokens) == 3 {
		inner = "/" + tokens[2]
	}
	return name, inner
}
