package draft

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// Bundle loads a local catalog and everything it imports, and returns one self-contained draft spec
// per entity, sorted by name: schema files are inlined (their external $refs bundled under $defs),
// and file references of configs, resources, migrations, lambdas, modules and test documents are
// replaced by the files' contents, following Flow's file-or-inline rule. Flow's in-spec
// `expectPubId` and `delete` become the draft spec's expectPubId and a deletion.
func Bundle(source string) ([]api.DraftSpec, error) {
	abs, err := filepath.Abs(source)
	if err != nil {
		return nil, err
	}
	b := &bundler{seen: map[string]bool{}, specs: map[string]api.DraftSpec{}}
	if err := b.loadCatalog(abs, ""); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(b.specs))
	for n := range b.specs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]api.DraftSpec, 0, len(names))
	for _, n := range names {
		out = append(out, b.specs[n])
	}
	return out, nil
}

type bundler struct {
	seen  map[string]bool
	specs map[string]api.DraftSpec
	where map[string]string
}

var sectionTypes = map[string]api.SpecType{
	"captures": api.Capture, "collections": api.Collection, "materializations": api.Materialization, "tests": api.Test,
}

// loadCatalog loads one catalog file; importedAt locates the import that names it, for errors.
func (b *bundler) loadCatalog(path, importedAt string) error {
	if b.seen[path] {
		return nil // import cycles are fine
	}
	b.seen[path] = true
	doc, err := readDoc(path)
	if err != nil && importedAt != "" {
		return fmt.Errorf("%s: %v", importedAt, err)
	} else if err != nil {
		return err
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: a catalog must be an object with collections, captures, materializations, tests or import", path)
	}
	keys := slices.Sorted(maps.Keys(top))
	for _, key := range keys {
		switch key {
		case "import":
			imports, _ := top[key].([]any)
			for i, imp := range imports {
				s, _ := imp.(string)
				at := fmt.Sprintf("%s#/import/%d", path, i)
				target, err := resolveFile(path, s)
				if err != nil {
					return fmt.Errorf("%s: %v", at, err)
				}
				if err := b.loadCatalog(target, at); err != nil {
					return err
				}
			}
		case "$schema", "storageMappings":
			// Editors' hint, and storage the control plane assigns: not part of any spec.
		default:
			t, ok := sectionTypes[key]
			if !ok {
				return fmt.Errorf("%s: unknown top-level key %q (expected import, collections, captures, materializations or tests)", path, key)
			}
			section, _ := top[key].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(section)) {
				if err := b.addSpec(path, key, t, name, section[name]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *bundler) addSpec(file, section string, t api.SpecType, name string, spec any) error {
	at := fmt.Sprintf("%s#/%s/%s", file, section, strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1"))
	if err := api.ValidateName(name); err != nil {
		return fmt.Errorf("%s: %v", at, err)
	}
	if b.where == nil {
		b.where = map[string]string{}
	}
	if prev, ok := b.where[name]; ok {
		return fmt.Errorf("%s: %s is defined twice (also at %s)", at, name, prev)
	}
	b.where[name] = at
	inl := inliner{file: file, at: at}
	spec = inl.spec(t, spec)
	if inl.err != nil {
		return inl.err
	}
	ds := api.DraftSpec{CatalogName: name, SpecType: t}
	if obj, ok := spec.(map[string]any); ok {
		ds.ExpectPubID, _ = obj["expectPubId"].(string)
		del, _ := obj["delete"].(bool)
		delete(obj, "expectPubId")
		delete(obj, "delete")
		if del {
			b.specs[name] = ds
			return nil
		}
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	ds.Spec = raw
	b.specs[name] = ds
	return nil
}

// inliner replaces file references inside one spec with the files' contents.
type inliner struct {
	file, at string
	err      error
}

func (in *inliner) fail(ptr string, err error) {
	if in.err == nil {
		in.err = fmt.Errorf("%s%s: %v", in.at, ptr, err)
	}
}

// spec replaces every file-or-inline value of a spec that names a file with the file's content.
func (in *inliner) spec(t api.SpecType, spec any) any {
	for _, f := range api.FileFields(t, spec) {
		if !f.NamesFile() {
			continue
		}
		if f.Schema {
			f.Set(in.schema(f.Pointer, f.Value.(string)))
		} else {
			f.Set(in.fileOrInline(f.Pointer, f.Value.(string)))
		}
	}
	return spec
}

// fileOrInline inlines a file named by a file-or-inline value: a YAML or JSON file as its value, any
// other file as its text.
func (in *inliner) fileOrInline(ptr string, s string) any {
	path, err := resolveFile(in.file, s)
	if err != nil {
		in.fail(ptr, err)
		return s
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		doc, err := readDoc(path)
		if err != nil {
			in.fail(ptr, err)
		}
		return doc
	}
	data, err := os.ReadFile(path)
	if err != nil {
		in.fail(ptr, fmt.Errorf("reading %s: %w", s, err))
		return s
	}
	return string(data)
}

// resolveFile resolves a relative file reference against the file that holds it. Only local files
// are bundled: flowd cannot fetch from the author's machine.
func resolveFile(from, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("empty file reference")
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%q is not a file reference: %v", ref, err)
	}
	switch u.Scheme {
	case "":
		if filepath.IsAbs(u.Path) {
			return u.Path, nil
		}
		return filepath.Join(filepath.Dir(from), filepath.FromSlash(u.Path)), nil
	case "file":
		return u.Path, nil
	}
	return "", fmt.Errorf("%q: only local files can be bundled into a draft, not %s URLs", ref, u.Scheme)
}

func readDoc(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	doc, err := parseYAMLOrJSON(data)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %v", path, err)
	}
	return doc, nil
}
