package catalog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// Load reads the catalog at source (a file path, or a file or http(s) URL) with everything it
// imports and references: imported catalogs, schema files and every schema they $ref, and the files
// named by configs, resources, migrations, lambdas, modules and test documents. Each resource is
// fetched once, so import cycles are fine. Every problem found is returned; the catalog is nil only
// when the source itself cannot be read.
func Load(ctx context.Context, source string) (*Catalog, Diagnostics) {
	u, err := sourceURL(source)
	if err != nil {
		return nil, Diagnostics{{Code: "load.source", Severity: SeverityError, File: source,
			Message: fmt.Sprintf("cannot resolve the catalog source: %v", err)}}
	}
	l := &loader{ctx: ctx, cat: &Catalog{Source: u.String(), Resources: map[string]*Resource{}}}
	if !l.loadCatalog(u, nil) && !l.rootFetched {
		return nil, l.diags.Sort()
	}
	return l.cat, l.diags.Sort()
}

type loader struct {
	ctx   context.Context
	cat   *Catalog
	diags Diagnostics
	// rootFetched tells a root that could not be read from one that was read but is invalid.
	rootFetched bool
}

func (l *loader) errorAt(p Position, code, hint, format string, args ...any) {
	l.diags = append(l.diags, newDiagnostic(p, SeverityError, code, hint, fmt.Sprintf(format, args...)))
}

// resourceNoun names each kind of resource in messages. A config (endpoint or resource config,
// lambda, migration, TypeScript module) is just a "file".
var resourceNoun = map[ResourceKind]string{KindCatalog: "catalog file", KindJSONSchema: "schema file", KindConfig: "file", KindFixture: "fixture file"}

// read fetches and parses one resource, reporting failures at `from` (the referring value), or at
// the file itself for the root. It returns nil when the resource cannot be used.
func (l *loader) read(u *url.URL, kind ResourceKind, from *Position, parse bool) *Resource {
	key := u.String()
	if r, ok := l.cat.Resources[key]; ok {
		return r
	}
	at := Position{URL: key}
	if from != nil {
		at = *from
	}
	data, err := fetch(l.ctx, u)
	if err != nil {
		what := resourceNoun[kind]
		if errors.Is(err, fs.ErrNotExist) {
			l.errorAt(at, "load.missing-file", "check the path, which is relative to the file that names it",
				"%s %s does not exist", what, displayName(key))
		} else {
			l.errorAt(at, "load.fetch", "", "cannot read %s %s: %v", what, displayName(key), err)
		}
		return nil
	}
	if from == nil {
		l.rootFetched = true
	}
	res := &Resource{URL: key, Kind: kind}
	if !parse {
		if !utf8.Valid(data) {
			l.errorAt(at, "load.encoding", "save the file as UTF-8", "%s: %v", displayName(key), errNotUTF8)
			return nil
		}
		res.Content = string(data)
		l.cat.Resources[key] = res
		return res
	}
	root, err := parseYAML(data)
	if err != nil {
		var pe *parseError
		errors.As(err, &pe)
		l.errorAt(Position{URL: key, Line: pe.Line, Col: 1}, "yaml.syntax", "", "invalid YAML: %s", pe.Msg)
		return nil
	}
	res.Node = root
	// Catalogs are decoded node by node; other documents become plain values.
	if kind != KindCatalog {
		v, err := newConverter(kind != KindJSONSchema).value(root)
		if err != nil {
			var ve *valueError
			if errors.As(err, &ve) {
				l.errorAt(Position{URL: key, Line: ve.Node.Line, Col: ve.Node.Column}, "yaml.value", "", "%s", ve.Msg)
			}
			return nil
		}
		res.Content = v
	}
	l.cat.Resources[key] = res
	return res
}

func (l *loader) loadCatalog(u *url.URL, from *Position) bool {
	if _, seen := l.cat.Resources[u.String()]; seen {
		return true
	}
	res := l.read(u, KindCatalog, from, true)
	if res == nil {
		return false
	}
	d := newDecoder(res)
	imports := d.decodeCatalog(l.cat, res.Node)
	if v, err := newConverter(true).value(res.Node); err == nil {
		res.Content = v
	}
	l.diags = append(l.diags, d.diags...)
	for _, f := range d.files {
		l.loadFile(res, f)
	}
	for _, s := range d.schemas {
		if s.IsInline {
			l.loadRefs(s.Inline, s.URL, res, s.Scope.Pointer)
		} else {
			l.loadSchemaRef(res, s)
		}
	}
	for _, imp := range imports {
		target, ok := l.resolve(res, imp.URL, imp.Scope)
		if !ok {
			continue
		}
		if target.Fragment != "" {
			l.errorAt(imp.Scope, "load.import-fragment", "import the file without its #fragment",
				"an import cannot have a fragment (%s)", imp.URL)
			continue
		}
		imp.URL = target.String()
		l.cat.Imports = append(l.cat.Imports, imp)
		l.loadCatalog(target, &imp.Scope)
	}
	return true
}

// resolve joins a reference against the URL of the resource that holds it.
func (l *loader) resolve(res *Resource, ref string, at Position) (*url.URL, bool) {
	base, _ := url.Parse(res.URL)
	r, err := url.Parse(ref)
	if err != nil || base == nil {
		l.errorAt(at, "load.url", "", "%q is not a valid relative URL: %v", ref, err)
		return nil, false
	}
	return base.ResolveReference(r), true
}

// loadFile fetches a value given by file name: YAML and JSON files are parsed, others are text.
func (l *loader) loadFile(res *Resource, f *FileOrInline) {
	u, ok := l.resolve(res, f.URL, f.Scope)
	if !ok {
		return
	}
	u.Fragment = ""
	f.URL = u.String()
	ext := strings.ToLower(path.Ext(u.Path))
	parse := ext == ".yaml" || ext == ".yml" || ext == ".json"
	if r := l.read(u, f.Kind, &f.Scope, parse); r != nil {
		f.Value = r.Content
	}
}

// loadSchemaRef fetches the schema file a collection names, then everything it references.
func (l *loader) loadSchemaRef(res *Resource, s *SchemaRef) {
	u, ok := l.resolve(res, s.URL, s.Scope)
	if !ok {
		return
	}
	s.URL = u.String()
	base := *u
	base.Fragment = ""
	l.loadSchemaFile(&base, &s.Scope)
}

func (l *loader) loadSchemaFile(u *url.URL, from *Position) {
	if _, seen := l.cat.Resources[u.String()]; seen {
		return
	}
	if r := l.read(u, KindJSONSchema, from, true); r != nil {
		l.loadRefs(r.Content, r.URL, r, "")
	}
}

// nonSchemaKeywords hold data, not sub-schemas; a "$ref" inside them is not a reference.
var nonSchemaKeywords = map[string]bool{"enum": true, "const": true, "default": true, "examples": true, "example": true}

// loadRefs loads every resource that $refs inside schema v name, resolving each against the base
// URL in effect ($id changes it). res and ptr locate v, to report a missing file at its $ref.
func (l *loader) loadRefs(v any, baseURL string, res *Resource, ptr string) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return
	}
	embedded := map[string]bool{}
	collectIDs(v, base, embedded)
	l.walkRefs(v, base, res, ptr, embedded)
}

// collectIDs records the resources a schema embeds under `$id` (as a bundle does), which its
// $refs may name without anything being fetched.
func collectIDs(v any, base *url.URL, ids map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if id, ok := t["$id"].(string); ok {
			if u, err := base.Parse(id); err == nil {
				base = u
				c := *u
				c.Fragment = ""
				ids[c.String()] = true
			}
		}
		for k, child := range t {
			if !nonSchemaKeywords[k] {
				collectIDs(child, base, ids)
			}
		}
	case []any:
		for _, child := range t {
			collectIDs(child, base, ids)
		}
	}
}

func (l *loader) walkRefs(v any, base *url.URL, res *Resource, ptr string, embedded map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if id, ok := t["$id"].(string); ok {
			if u, err := url.Parse(id); err == nil {
				base = base.ResolveReference(u)
			}
		}
		for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
			ref, ok := t[kw].(string)
			if !ok {
				continue
			}
			u, err := url.Parse(ref)
			if err != nil {
				l.errorAt(locatePosition(res, ptr+"/"+kw), "schema.ref", "", "%s %q is not a valid URL: %v", kw, ref, err)
				continue
			}
			target := base.ResolveReference(u)
			target.Fragment = ""
			if target.Scheme != "file" && target.Scheme != "http" && target.Scheme != "https" {
				continue // flow:// and other built-ins are never fetched
			}
			if s := target.String(); !embedded[s] && s != strings.SplitN(base.String(), "#", 2)[0] && s != res.URL {
				at := locatePosition(res, ptr+"/"+kw)
				l.loadSchemaFile(target, &at)
			}
		}
		for k, child := range t {
			if !nonSchemaKeywords[k] {
				l.walkRefs(child, base, res, pointerJoin(ptr, k), embedded)
			}
		}
	case []any:
		for i, child := range t {
			l.walkRefs(child, base, res, pointerIndex(ptr, i), embedded)
		}
	}
}

// locatePosition finds the line and column of the value at ptr in a resource.
func locatePosition(res *Resource, ptr string) Position {
	p := Position{URL: res.URL, Pointer: ptr}
	if res.Node != nil {
		n := locate(res.Node, ptr)
		p.Line, p.Col = n.Line, n.Column
	}
	return p
}

// Locate finds the position of the value at a JSON pointer inside a loaded resource, given the
// resource URL with or without the pointer as fragment.
func (c *Catalog) Locate(resource, ptr string) Position {
	resource, frag, _ := strings.Cut(resource, "#")
	if ptr == "" && strings.HasPrefix(frag, "/") {
		ptr = frag
	}
	if r, ok := c.Resources[resource]; ok {
		return locatePosition(r, ptr)
	}
	return Position{URL: resource, Pointer: ptr}
}
