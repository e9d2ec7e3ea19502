package catalog

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// BuiltCollection is a collection with its schemas compiled and its projections derived.
type BuiltCollection struct {
	Name string
	Def  *Collection
	// WriteSchema validates documents written to the collection; ReadSchema those read from it.
	// They are the same pointer when the collection has one schema.
	WriteSchema, ReadSchema *schema.Schema
	Key                     []string
	// Projections are every field of the collection, sorted by field: explicit ones, the key,
	// every location the read schema names, flow_document and flow_published_at.
	Projections []schema.Projection
	// PartitionFields are the fields of the logical partitions, sorted.
	PartitionFields []string
	Fragments       FragmentTemplate
	// Derivation is set for a derived collection.
	Derivation *BuiltDerivation
	Scope      Position
}

// addSchemaResources puts every schema document, fetched or inline, into the schema index.
func (b *builder) addSchemaResources() {
	for _, url := range slices.Sorted(maps.Keys(b.cat.Resources)) {
		r := b.cat.Resources[url]
		if r.Kind != KindJSONSchema {
			continue
		}
		b.schemaDocs[url] = r.Content
		if err := b.index.Add(url, r.Content); err != nil {
			b.refused[url] = true
			b.errorf(Position{URL: url, Line: 1, Col: 1}, "schema.invalid", "", "%v", err)
		}
	}
	for _, c := range b.cat.Collections {
		for _, s := range []*SchemaRef{c.Schema, c.WriteSchema, c.ReadSchema} {
			if s != nil && s.IsInline {
				b.schemaDocs[s.URL] = s.Inline
				if err := b.index.Add(s.URL, s.Inline); err != nil {
					b.refused[s.URL] = true
					// Name the inline schema as the user wrote it, not by its internal URL.
					msg := strings.ReplaceAll(err.Error(), s.URL, displayURL(s.URL))
					b.errorf(s.Scope, "schema.invalid", "", "%s", msg)
				}
			}
		}
	}
	b.missing = b.index.Missing()
}

// mentionsMissing tells compile errors caused by a referenced file that could not be loaded,
// which the loader has already reported where it is referenced.
func (b *builder) mentionsMissing(err error) bool {
	for _, m := range b.missing {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	return false
}

func (b *builder) buildCollections() {
	sorted := append([]*Collection(nil), b.cat.Collections...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	b.byName = make(map[string]*BuiltCollection, len(sorted))
	b.index.CompileAll(b.plainSchemaURLs())
	for _, c := range sorted {
		if _, dup := b.byName[c.Name]; dup {
			continue // reported as a name collision
		}
		bc := b.buildCollection(c)
		b.byName[c.Name] = bc
		b.built.Collections = append(b.built.Collections, bc)
	}
}

func (b *builder) buildCollection(c *Collection) *BuiltCollection {
	bc := &BuiltCollection{Name: c.Name, Def: c, Key: c.Key, Scope: c.Scope}
	if c.Journals != nil {
		bc.Fragments = c.Journals.Fragments
	}
	switch {
	case c.Schema != nil && c.WriteSchema == nil && c.ReadSchema == nil:
		bc.WriteSchema = b.compileCollectionSchema(b.index, c.Schema)
		bc.ReadSchema = bc.WriteSchema
	case c.Schema == nil && c.WriteSchema != nil && c.ReadSchema != nil:
		bc.WriteSchema = b.compileCollectionSchema(b.index, c.WriteSchema)
		bc.ReadSchema = b.compileReadSchema(c.ReadSchema, c.WriteSchema)
	default:
		b.errorf(c.Scope, "collection.schema-combination", "write `schema`, or both `writeSchema` and `readSchema`",
			"collection %s must define either `schema` or both of `writeSchema` and `readSchema`", c.Name)
	}
	if c.Key != nil && len(c.Key) == 0 {
		b.errorf(b.at(c.Scope, "key"), "collection.key-empty", "list the JSON pointers that identify a document, like key: [/id]",
			"collection %s key cannot be empty", c.Name)
	}
	b.checkProjections(bc)
	if bc.ReadSchema == nil || bc.WriteSchema == nil {
		return bc // already reported; key and projection checks need the schemas
	}
	b.deriveProjections(bc)
	if bc.WriteSchema != bc.ReadSchema {
		b.checkWriteSchemaKeys(bc)
	}
	return bc
}

// deriveProjections derives the projections from the read schema, reporting problems with keys
// and explicit projections at the value that names the location.
func (b *builder) deriveProjections(bc *BuiltCollection) {
	c := bc.Def
	explicit := make([]schema.ExplicitProjection, 0, len(c.Projections))
	for _, p := range c.Projections {
		explicit = append(explicit, schema.ExplicitProjection{Field: p.Field, Ptr: p.Location, Partition: p.Partition})
	}
	projections, problems := schema.Projections(bc.ReadSchema.Shape(), c.Key, explicit)
	bc.Projections = projections
	for _, p := range problems {
		b.errorf(b.problemPosition(c, p), p.Code, problemHint(p.Code), "collection %s: %s", c.Name, p.Message)
	}
}

// problemPosition finds the key entry or projection that names a problem's location.
func (b *builder) problemPosition(c *Collection, p schema.Problem) Position {
	if p.Code == schema.CodeProjectionRemap {
		for _, proj := range c.Projections {
			if strings.Contains(p.Message, strconv.Quote(proj.Location)) || strings.Contains(p.Message, proj.Field) {
				return proj.Scope
			}
		}
	}
	for i, k := range c.Key {
		if k == p.Ptr {
			return b.at(c.Scope, "key", itoa(i))
		}
	}
	for _, proj := range c.Projections {
		if proj.Location == p.Ptr {
			return b.at(proj.Scope, "location")
		}
	}
	return c.Scope
}

func problemHint(code string) string {
	switch code {
	case schema.CodePtrUnknown:
		return "declare the location under `properties` (or tuple `items`) in the schema"
	case schema.CodeKeyWrongType:
		return "give the location exactly one scalar type: string, integer or boolean (optionally with null)"
	case schema.CodeKeyHasReduction:
		return "remove the `reduce` annotation from the key location, or use lastWriteWins"
	case schema.CodePtrMissingSlash, schema.CodePtrInvalid:
		return "JSON pointers start with '/', like /id or /user/name"
	}
	return ""
}

// checkWriteSchemaKeys checks keys and partitions against the write schema too, and that their
// types agree with the read schema's, since documents are keyed when written and when read.
func (b *builder) checkWriteSchemaKeys(bc *BuiltCollection) {
	c := bc.Def
	read, write := bc.ReadSchema.Shape(), bc.WriteSchema.Shape()
	check := func(ptr string, at Position) {
		if p := schema.CheckKey(write, ptr); p != nil {
			b.errorf(at, p.Code, problemHint(p.Code), "collection %s writeSchema: %s", c.Name, p.Message)
			return
		}
		rt, _ := read.Locate(ptr)
		wt, _ := write.Locate(ptr)
		if rt.Types&^schema.Null != wt.Types&^schema.Null {
			b.errorf(at, "collection.key-read-write-types", "give the location the same type in both schemas",
				"collection %s: location %s is %s in the readSchema but %s in the writeSchema", c.Name, ptr, rt.Types, wt.Types)
		}
	}
	for i, k := range c.Key {
		check(k, b.at(c.Scope, "key", itoa(i)))
	}
	for _, p := range c.Projections {
		if p.Partition {
			check(p.Location, b.at(p.Scope, "location"))
		}
	}
}

// plainSchemaURLs lists the collection schemas that compile in the catalog's own index: all but
// read schemas using flow:// references.
func (b *builder) plainSchemaURLs() []string {
	var urls []string
	for _, c := range b.cat.Collections {
		for _, s := range []*SchemaRef{c.Schema, c.WriteSchema, c.ReadSchema} {
			if s != nil && (s != c.ReadSchema || !b.scanFlowRefs(s.URL).any) {
				urls = append(urls, s.URL)
			}
		}
	}
	return urls
}

// compileCollectionSchema compiles a collection schema, checks that its root is an object, as
// Flow writes `_meta` into every document, and reports the mistakes Flow's inspection finds.
func (b *builder) compileCollectionSchema(index *schema.Index, ref *SchemaRef) *schema.Schema {
	base, _, _ := strings.Cut(ref.URL, "#")
	if !ref.IsInline && b.cat.Resources[base] == nil {
		return nil // the file could not be loaded, which the loader reported
	}
	if b.refused[base] {
		return nil // not a schema, which addSchemaResources reported
	}
	s, err := index.Compile(ref.URL)
	if err != nil {
		if !b.mentionsMissing(err) {
			b.errorf(ref.Scope, "schema.compile", "", "%v", err)
		}
		return nil
	}
	if t := s.Shape().Types; t != schema.Object {
		b.errorf(ref.Scope, "collection.schema-not-object", "add `type: object` at the schema's root",
			"collection schema %s must have type object, but its root accepts %s", displayURL(ref.URL), t)
		return s // as Flow, no further schema errors: they would follow from the wrong root
	}
	b.inspectSchema(ref, s)
	return s
}

// checkPointer checks JSON pointer syntax for keys, shuffle keys and projection locations.
func (b *builder) checkPointer(ptr string, at Position) bool {
	if ptr == "" {
		return true
	}
	if ptr[0] != '/' {
		b.errorf(at, "pointer.syntax", "write it as /"+ptr, "%s is not a valid JSON pointer (missing leading '/')", ptr)
		return false
	}
	if bad := unmatched(pointerRe, ptr); bad != "" {
		b.errorf(at, "pointer.syntax", "escape '~' as ~0 and '/' inside a property name as ~1; no empty segments",
			"%s is not a valid JSON pointer (%q is invalid)", ptr, bad)
		return false
	}
	return true
}

func (b *builder) checkProjections(bc *BuiltCollection) {
	var fields []namedEntity
	for _, p := range bc.Def.Projections {
		at := p.Scope
		fields = append(fields, namedEntity{"projection", p.Field, at})
		if bad, ok := checkName(fieldRe, p.Field); !ok {
			b.errorf(at, "projection.field", "fields may contain spaces and slashes, but not start or end with '/'",
				"%q cannot be used as a projection field (%q is invalid)", p.Field, bad)
		}
		if p.Partition {
			b.checkName(namedEntity{"partition", p.Field, at}, tokenRe, "partition fields are letters, digits, '-', '_' and '.', without '/' or spaces")
			bc.PartitionFields = append(bc.PartitionFields, p.Field)
		}
	}
	sort.Strings(bc.PartitionFields)
	b.checkCollisions(fields, false)
}

// displayURL shows a schema URL the way a user wrote it: a path for files, with the fragment, and
// an inline schema as its catalog file and pointer.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	frag := ""
	if ptr := u.Query().Get("ptr"); ptr != "" {
		frag = "#" + ptr
	} else if u.Fragment != "" {
		frag = "#" + u.Fragment
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return displayName(u.String()) + frag
}
