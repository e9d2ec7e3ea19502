package schema

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Index holds schema resources by absolute URL and compiles schemas from them. Nothing is ever
// fetched: the caller adds every resource, using Missing to learn which ones are still referenced.
// The `flow://write-schema`, `flow://relaxed-write-schema` and `flow://inferred-schema` references
// resolve only once the caller adds a schema at that exact URL (Add("flow://write-schema", doc)).
//
// An Index is not safe for concurrent use; the Schemas it compiles are.
type Index struct {
	compiler *jsonschema.Compiler
	known    map[string]bool // added resource URLs and the nested `$id`s inside them
	refs     map[string]bool // resource URLs that some `$ref` names
	compiled map[string]*Schema
	failed   map[string]error // compile errors of CompileAll, returned again by Compile
	// added is every resource given to the compiler, in order, so that Fork and CompileAll can
	// give other compilers the same resources.
	added []addedResource
}

type addedResource struct {
	url string
	doc any
}

// NewIndex returns an empty Index that compiles draft 2020-12 by default, asserts formats
// (including Flow's), and understands Flow's annotation keywords.
func NewIndex() *Index {
	return &Index{
		compiler: newCompiler(),
		known:    map[string]bool{},
		refs:     map[string]bool{},
		compiled: map[string]*Schema{},
		failed:   map[string]error{},
	}
}

func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, f := range flowFormats() {
		c.RegisterFormat(f)
	}
	c.RegisterVocabulary(flowVocabulary())
	c.AssertVocabs()
	c.UseLoader(notAddedLoader{})
	return c
}

// addToCompiler gives a resource to the compiler and remembers it for replicas.
func (ix *Index) addToCompiler(rawURL string, doc any) error {
	if err := ix.compiler.AddResource(rawURL, doc); err != nil {
		return err
	}
	ix.added = append(ix.added, addedResource{rawURL, doc})
	return nil
}

// replicaCompiler returns a new compiler holding the same resources as ix's. Resources are
// only read while compiling, so compilers can share them.
func (ix *Index) replicaCompiler() *jsonschema.Compiler {
	c := newCompiler()
	for _, r := range ix.added {
		_ = c.AddResource(r.url, r.doc) // accepted once already, by ix.compiler
	}
	return c
}

// Fork returns a new Index holding the resources of ix, to which resources can be added without
// affecting ix: a collection's read schema compiles in a fork that adds the flow:// schemas of
// that collection. Schemas already compiled by ix are not shared.
func (ix *Index) Fork() *Index {
	f := NewIndex()
	f.compiler = ix.replicaCompiler()
	f.added = append([]addedResource(nil), ix.added...)
	for u := range ix.known {
		f.known[u] = true
	}
	for u := range ix.refs {
		f.refs[u] = true
	}
	return f
}

// notAddedLoader refuses every fetch: resources must be added explicitly.
type notAddedLoader struct{}

func (notAddedLoader) Load(u string) (any, error) {
	if strings.HasPrefix(u, "flow://") {
		return nil, fmt.Errorf("%s is not registered: add the schema it stands for with Index.Add(%q, schema)", u, u)
	}
	return nil, fmt.Errorf("schema resource %s was not added to the index (fetch it and add it with Index.Add)", u)
}

// Add registers a schema resource (an object or boolean) at its absolute URL, which must have no
// fragment. Resources nested under `$id` become addressable by their own URLs.
func (ix *Index) Add(rawURL string, doc any) error {
	base, err := url.Parse(rawURL)
	if err != nil || !base.IsAbs() {
		return fmt.Errorf("schema URL %q is not an absolute URL (like file:///dir/schema.yaml)", rawURL)
	}
	if base.Fragment != "" || strings.HasSuffix(rawURL, "#") {
		return fmt.Errorf("schema URL %q has a fragment; add the whole resource under a URL without one "+
			"(an inline schema can use its own URL, like file:///p/flow.yaml?ptr=/collections/x/schema)", rawURL)
	}
	if ix.known[rawURL] {
		return fmt.Errorf("schema resource %s was already added", rawURL)
	}
	switch doc.(type) {
	case map[string]any, bool:
	default:
		return fmt.Errorf("schema %s must be an object or a boolean, not %s", rawURL, describe(doc))
	}
	doc = modernize(doc)
	if err := checkReduceKeywords(rawURL, doc); err != nil {
		return err
	}
	if err := ix.addToCompiler(rawURL, doc); err != nil {
		return fmt.Errorf("adding schema %s: %w", rawURL, err)
	}
	ix.known[rawURL] = true
	return ix.scanReferences(rawURL, base, doc)
}

// checkReduceKeywords rejects a malformed `reduce` early, naming where it is.
func checkReduceKeywords(rawURL string, doc any) error {
	var first error
	walkSchemas(doc, "", struct{}{}, func(obj map[string]any, ptr string, _ struct{}) struct{} {
		if v, ok := obj["reduce"]; ok && first == nil {
			if _, err := ParseReduce(v); err != nil {
				first = fmt.Errorf("schema %s#%s: invalid `reduce` annotation: %w", rawURL, ptr, err)
			}
		}
		return struct{}{}
	})
	return first
}

// scanReferences records every `$ref`'s resource as referenced, each resolved against the base URL
// in effect at its location. Nested `$id` resources are also added under their own URLs, because
// the validator resolves a nested (or root) `$id` only from within its enclosing document. A
// nested `flow://` `$id` stays local to its document, as in Flow: each collection's read schema
// may inline its own flow://inferred-schema.
func (ix *Index) scanReferences(rawURL string, base *url.URL, doc any) error {
	var err error
	walkSchemas(doc, "", base, func(obj map[string]any, ptr string, base *url.URL) *url.URL {
		if id, ok := obj["$id"].(string); ok {
			if u, perr := base.Parse(id); perr == nil {
				base = u
				nested := withoutFragment(u)
				switch {
				case err != nil, nested == rawURL, u.Scheme == "flow":
				case ix.known[nested]:
					err = fmt.Errorf("schema %s#%s declares $id %s, which names another resource already added", rawURL, ptr, nested)
				default:
					ix.known[nested] = true
					err = ix.addToCompiler(nested, obj)
				}
			}
		}
		for _, kw := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
			if ref, ok := obj[kw].(string); ok {
				if u, err := base.Parse(ref); err == nil {
					ix.refs[withoutFragment(u)] = true
				}
			}
		}
		return base
	})
	return err
}

func withoutFragment(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// Missing lists, sorted, the resource URLs that `$ref`s name but that were not added, leaving out
// flow:// references and the JSON Schema meta-schemas. A catalog loader fetches and adds them
// until none remain.
func (ix *Index) Missing() []string {
	var out []string
	for ref := range ix.refs {
		if ix.known[ref] || strings.HasPrefix(ref, "flow://") || isMetaSchema(ref) {
			continue
		}
		out = append(out, ref)
	}
	sort.Strings(out)
	return out
}

func isMetaSchema(u string) bool {
	return strings.HasPrefix(u, "https://json-schema.org/draft/") || strings.HasPrefix(u, "http://json-schema.org/")
}

// Compile returns the schema at an absolute URL, optionally with a fragment: a JSON pointer
// ("#/$defs/reading") or an anchor ("#Join"). Compiled schemas are cached by URL.
func (ix *Index) Compile(rawURL string) (*Schema, error) {
	if s, ok := ix.compiled[rawURL]; ok {
		return s, nil
	}
	if err, ok := ix.failed[rawURL]; ok {
		return nil, err
	}
	s, err := compileWith(ix.compiler, rawURL)
	if err != nil {
		return nil, err
	}
	ix.compiled[rawURL] = s
	return s, nil
}

func compileWith(c *jsonschema.Compiler, rawURL string) (*Schema, error) {
	compiled, err := c.Compile(rawURL)
	if err != nil {
		return nil, compileError(rawURL, err)
	}
	return &Schema{url: rawURL, compiled: compiled}, nil
}

// compileError explains a compile failure with the validator's detail kept.
func compileError(rawURL string, err error) error {
	var invalid *jsonschema.SchemaValidationError
	if errors.As(err, &invalid) {
		return fmt.Errorf("schema %s is not a valid JSON Schema: %s", invalid.URL, strings.TrimSpace(invalid.Err.Error()))
	}
	return fmt.Errorf("compiling schema %s: %w", rawURL, err)
}

// Schema is a compiled JSON Schema. It is safe for concurrent use.
type Schema struct {
	url      string
	compiled *jsonschema.Schema

	shapeOnce sync.Once
	shape     *Shape
	planOnce  sync.Once
	plan      annotationPlan
}

// URL returns the absolute URL (with any fragment) the schema was compiled from.
func (s *Schema) URL() string { return s.url }
