package controlplane

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// ConnectorPolicy is what published tasks may make flowd run, and where their connectors may read
// and write files. Anyone with a write grant can publish a task, so by default a task runs only
// flowd's built-in connectors, never a `local:` command or a Docker image, and the file paths of
// built-in connectors (source-file's path, materialize-sqlite's path) must lie under FileRoots. The
// zero value is the strictest policy: built-ins only, and no file paths at all.
type ConnectorPolicy struct {
	// AllowLocal lets tasks run `local:` commands as flowd's user: only for a server whose every
	// publisher may already run commands on it.
	AllowLocal bool
	// Images are non-built-in connector images tasks may run (through Docker), compared without tag.
	Images []string
	// FileRoots are absolute directories; a connector file path must be absolute and lie under one.
	FileRoots []string
}

// pathFields are the config and resource fields of built-in connectors that name files on the
// server, by connector image.
var pathFields = map[string]struct{ config, resource []string }{
	"ghcr.io/flowctl/source-file":        {config: []string{"path"}, resource: []string{"path"}},
	"ghcr.io/estuary/materialize-sqlite": {config: []string{"path"}},
}

// Check returns an error for each endpoint of the spec that the policy refuses.
func (p ConnectorPolicy) Check(name string, t api.SpecType, spec any) []api.BuildError {
	obj, _ := spec.(map[string]any)
	var errs []api.BuildError
	fail := func(ptr, format string, args ...any) {
		errs = append(errs, api.BuildError{CatalogName: name, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	switch t {
	case api.Capture, api.Materialization:
		endpoint, _ := obj["endpoint"].(map[string]any)
		image := p.checkEndpoint(endpoint, "/endpoint", fail)
		fields, ok := pathFields[connector.ImageName(image)]
		if !ok {
			break
		}
		if e, ok := endpoint["connector"].(map[string]any); ok {
			p.checkPaths(e["config"], fields.config, "/endpoint/connector/config", fail)
		}
		bindings, _ := obj["bindings"].([]any)
		for i, b := range bindings {
			if m, ok := b.(map[string]any); ok {
				p.checkPaths(m["resource"], fields.resource, fmt.Sprintf("/bindings/%d/resource", i), fail)
			}
		}
	case api.Collection:
		derive, _ := obj["derive"].(map[string]any)
		using, _ := derive["using"].(map[string]any)
		p.checkEndpoint(using, "/derive/using", fail)
	}
	return errs
}

// checkEndpoint checks the `connector` or `local` member of an endpoint and returns the image.
func (p ConnectorPolicy) checkEndpoint(endpoint map[string]any, ptr string, fail func(string, string, ...any)) string {
	if _, ok := endpoint["local"]; ok && !p.AllowLocal {
		fail(ptr+"/local", "flowd does not run `local:` commands (the operator can allow them with `flowd serve --allow-local-connectors`): "+
			"use a built-in connector (%s)", strings.Join(builtinImages(), ", "))
	}
	c, _ := endpoint["connector"].(map[string]any)
	image, _ := c["image"].(string)
	if image == "" || p.allowsImage(image) {
		return image
	}
	fail(ptr+"/connector/image", "flowd does not run connector image %q: use a built-in connector (%s), "+
		"or ask the operator to allow the image with `flowd serve --allow-image`", image, strings.Join(builtinImages(), ", "))
	return image
}

func (p ConnectorPolicy) allowsImage(image string) bool {
	name := connector.ImageName(image)
	if slices.Contains(builtinImages(), name) {
		return true
	}
	return slices.ContainsFunc(p.Images, func(allowed string) bool { return connector.ImageName(allowed) == name })
}

func builtinImages() []string {
	return slices.Concat(connector.BuiltinCaptures(), connector.BuiltinMaterializations())
}

// checkPaths checks the named string fields of a config or resource object.
func (p ConnectorPolicy) checkPaths(v any, fields []string, ptr string, fail func(string, string, ...any)) {
	obj, _ := v.(map[string]any)
	for _, f := range fields {
		if s, ok := obj[f].(string); ok && s != "" {
			if err := p.checkPath(s); err != nil {
				fail(ptr+"/"+f, "%v", err)
			}
		}
	}
}

// checkPath accepts an absolute path (or glob) without `..` that lies under a file root. `..` is
// refused outright: after a glob component the OS would resolve it where a lexical check cannot see.
func (p ConnectorPolicy) checkPath(path string) error {
	path = strings.TrimPrefix(path, "file://")
	if len(p.FileRoots) == 0 {
		return fmt.Errorf("path %q: this flowd allows connectors no files (the operator can name a directory with `flowd serve --connector-files`)", path)
	}
	where := strings.Join(p.FileRoots, " or ")
	if !filepath.IsAbs(path) {
		return fmt.Errorf("path %q is relative: give an absolute path on the server, under %s", path, where)
	}
	if slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "..") {
		return fmt.Errorf("path %q has a `..` component: give a path under %s without one", path, where)
	}
	clean := filepath.Clean(path)
	for _, root := range p.FileRoots {
		if rel, err := filepath.Rel(filepath.Clean(root), clean); err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil
		}
	}
	return fmt.Errorf("path %q is outside the directories this flowd lets connectors use: give a path under %s", path, where)
}
