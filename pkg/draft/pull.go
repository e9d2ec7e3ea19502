package draft

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/internal/atomicfile"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// sections maps spec types to the catalog keys that hold them.
var sections = map[api.SpecType]string{
	api.Capture: "captures", api.Collection: "collections", api.Materialization: "materializations", api.Test: "tests",
}

// Tree lays out live specs as catalog files, by path relative to the target directory: one flow.yaml
// per prefix directory, importing the flow.yaml of each child directory, and each collection's
// schemas in files of their own beside it. Keys are sorted, so the same specs give the same bytes.
func Tree(specs []api.LiveSpec) (map[string][]byte, error) {
	type dirCatalog struct {
		sections map[string]map[string]any
		children map[string]bool
	}
	dirs := map[string]*dirCatalog{}
	dirOf := func(d string) *dirCatalog {
		if dirs[d] == nil {
			dirs[d] = &dirCatalog{sections: map[string]map[string]any{}, children: map[string]bool{}}
		}
		return dirs[d]
	}
	files := map[string][]byte{}
	for _, l := range specs {
		if err := api.ValidateName(l.CatalogName); err != nil {
			return nil, fmt.Errorf("refusing to write a spec with an unsafe name: %v", err)
		}
		section, ok := sections[l.SpecType]
		if !ok {
			return nil, fmt.Errorf("%s has unknown spec type %q", l.CatalogName, l.SpecType)
		}
		spec, err := decodeJSON(l.Spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", l.CatalogName, err)
		}
		dir, base := path.Split(l.CatalogName)
		dir = strings.TrimSuffix(dir, "/")
		if l.SpecType == api.Collection {
			if err := splitSchemas(spec, dir, base, files); err != nil {
				return nil, fmt.Errorf("%s: %v", l.CatalogName, err)
			}
		}
		dc := dirOf(dir)
		if dc.sections[section] == nil {
			dc.sections[section] = map[string]any{}
		}
		dc.sections[section][l.CatalogName] = spec
		// Register the directory with each ancestor, up to the root.
		for d := dir; d != ""; {
			parent, child := path.Split(d)
			parent = strings.TrimSuffix(parent, "/")
			dirOf(parent).children[child] = true
			d = parent
		}
	}
	for d, dc := range dirs {
		doc := map[string]any{}
		for section, entries := range dc.sections {
			doc[section] = entries
		}
		if len(dc.children) > 0 {
			var imports []any
			for _, c := range sortedSet(dc.children) {
				imports = append(imports, c+"/flow.yaml")
			}
			doc["import"] = imports
		}
		text, err := marshalYAML(doc)
		if err != nil {
			return nil, err
		}
		files[path.Join(d, "flow.yaml")] = []byte(text)
	}
	return files, nil
}

// splitSchemas moves a collection's inline schemas into files beside its flow.yaml.
func splitSchemas(spec any, dir, base string, files map[string][]byte) error {
	obj, ok := spec.(map[string]any)
	if !ok {
		return nil
	}
	for field, suffix := range map[string]string{"schema": ".schema.yaml", "writeSchema": ".write.schema.yaml", "readSchema": ".read.schema.yaml"} {
		sch, ok := obj[field].(map[string]any)
		if !ok {
			continue
		}
		text, err := marshalYAML(sch)
		if err != nil {
			return err
		}
		files[path.Join(dir, base+suffix)] = []byte(text)
		obj[field] = base + suffix
	}
	return nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteTree writes files (as Tree lays them out) under target. Every path must stay inside target,
// through symlinks too. A file that exists with other content is a local edit: unless overwrite is
// set, nothing is written and the error lists them. Each file is written atomically. It returns the
// paths it wrote or found identical.
func WriteTree(target string, files map[string][]byte, overwrite bool) ([]string, error) {
	root, err := filepath.Abs(target)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var edited, changed []string
	for _, p := range paths {
		full, err := inside(realRoot, p)
		if err != nil {
			return nil, err
		}
		old, err := os.ReadFile(full)
		switch {
		case err == nil && bytes.Equal(old, files[p]):
		case err == nil:
			edited = append(edited, p)
			changed = append(changed, p)
		case os.IsNotExist(err):
			changed = append(changed, p)
		default:
			return nil, err
		}
	}
	if len(edited) > 0 && !overwrite {
		return nil, fmt.Errorf("these files under %s differ from the live specs and would be overwritten: %s\n"+
			"commit or move your local edits, or pass --overwrite to replace them", target, strings.Join(edited, ", "))
	}
	for _, p := range changed {
		full, _ := inside(realRoot, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(full, files[p], 0o644); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// inside joins rel onto root and fails unless the result, with symlinks of existing directories
// resolved, is still under root.
func inside(root, rel string) (string, error) {
	full := filepath.Join(root, filepath.FromSlash(rel))
	if !within(root, full) {
		return "", fmt.Errorf("refusing to write %s: it is outside the target directory", rel)
	}
	// Resolve the deepest existing ancestor: a symlinked directory must not lead outside.
	for dir := filepath.Dir(full); within(root, dir); dir = filepath.Dir(dir) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			continue // does not exist yet
		}
		if !within(root, real) {
			return "", fmt.Errorf("refusing to write %s: %s is a link that leads outside the target directory", rel, dir)
		}
		break
	}
	if info, err := os.Lstat(full); err == nil && info.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("refusing to write %s: it is a symbolic link", rel)
	}
	return full, nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
