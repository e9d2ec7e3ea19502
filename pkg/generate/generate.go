package generate

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// Result is what Generate found to write.
type Result struct {
	// Root is the project root the TypeScript modules are written under.
	Root  string
	Built *catalog.Built
	// Files are sorted: the modules by collection, deno.json, then starters in catalog order.
	Files []File
}

// Generate loads and builds the catalog at source and returns the files `flowctl generate`
// writes: the TypeScript module of every collection and deno.json under root ("" finds the
// project root of source, see ProjectRoot), and a starter for every derivation file the catalog
// names but that does not exist (TypeScript modules, SQLite migrations and lambdas), at the path
// the catalog gives. Missing files that get a starter are not reported; any other error of the
// catalog is, and then no files are returned.
func Generate(ctx context.Context, source, root string) (*Result, catalog.Diagnostics, error) {
	if root == "" {
		var err error
		if root, err = ProjectRoot(source); err != nil {
			return nil, nil, fmt.Errorf("finding the project root of %s: %w", source, err)
		}
	}
	cat, diags := catalog.Load(ctx, source)
	if cat == nil {
		return nil, diags, fmt.Errorf("cannot load %s:\n%s", source, diags.Error())
	}
	built, buildDiags := catalog.Build(ctx, cat)
	missing := missingDerivationFiles(cat)
	diags = append(withoutStubbed(diags, missing), buildDiags...).Sort()
	if diags.HasErrors() {
		return nil, diags, nil
	}
	res := &Result{Root: root, Built: built}
	for _, c := range built.Collections {
		module, err := TypeScriptModule(c)
		if err != nil {
			return nil, diags, err
		}
		res.Files = append(res.Files, File{Path: TypeScriptPath(root, c.Name), Content: []byte(module)})
	}
	res.Files = append(res.Files, File{Path: filepath.Join(root, "deno.json"), Content: []byte(denoJSON)})
	starters, err := starterFiles(built, missing)
	if err != nil {
		return nil, diags, err
	}
	res.Files = append(res.Files, starters...)
	return res, diags, nil
}

// missingFile is a derivation file the catalog names that could not be loaded.
type missingFile struct {
	collection string
	ref        *catalog.FileOrInline
	migration  int // index among the migrations, or -1
}

func missingDerivationFiles(cat *catalog.Catalog) []missingFile {
	var out []missingFile
	isMissing := func(f *catalog.FileOrInline) bool { return f != nil && f.URL != "" && f.Value == nil }
	for _, c := range cat.Collections {
		if c.Derive == nil {
			continue
		}
		if ts := c.Derive.Using.TypeScript; ts != nil && isMissing(ts.Module) {
			out = append(out, missingFile{collection: c.Name, ref: ts.Module, migration: -1})
		}
		if sq := c.Derive.Using.SQLite; sq != nil {
			for i, m := range sq.Migrations {
				if isMissing(m) {
					out = append(out, missingFile{collection: c.Name, ref: m, migration: i})
				}
			}
			for _, t := range c.Derive.Transforms {
				if isMissing(t.Lambda) {
					out = append(out, missingFile{collection: c.Name, ref: t.Lambda, migration: -1})
				}
			}
		}
	}
	return out
}

// withoutStubbed drops the load errors of the missing files that get a starter.
func withoutStubbed(diags catalog.Diagnostics, missing []missingFile) catalog.Diagnostics {
	var out catalog.Diagnostics
	for _, d := range diags {
		stubbed := false
		for _, m := range missing {
			s := m.ref.Scope
			if d.Code == "load.missing-file" && d.Pointer == s.Pointer && d.Line == s.Line && d.Col == s.Col {
				stubbed = true
				break
			}
		}
		if !stubbed {
			out = append(out, d)
		}
	}
	return out
}

func starterFiles(built *catalog.Built, missing []missingFile) ([]File, error) {
	var out []File
	for _, m := range missing {
		path, ok := fileURLPath(m.ref.URL)
		if !ok {
			return nil, fmt.Errorf("%s is missing and is not a local file, so no starter can be written for it; create it, or write its content inline in the catalog", m.ref.URL)
		}
		c := built.Collection(m.collection)
		var content string
		switch {
		case c.Derivation.Def.Using.TypeScript != nil:
			var err error
			if content, err = TypeScriptStub(c); err != nil {
				return nil, err
			}
		case m.migration >= 0:
			content = SQLiteMigrationStub(m.migration)
		default:
			for _, t := range c.Derivation.Transforms {
				if t.Def != nil && t.Def.Lambda == m.ref && t.Source != nil {
					content = SQLiteLambdaStub(t)
				}
			}
		}
		out = append(out, File{Path: path, Content: []byte(content), Starter: true})
	}
	return out, nil
}
