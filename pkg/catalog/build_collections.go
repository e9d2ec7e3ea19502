package catalog

import (
	"net/url"
	"sort"

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
	// PartitionFields are the fields of the logical partitions, sorted.
	PartitionFields []string
	Fragments       FragmentTemplate
	// Derivation is set for a derived collection.
	Derivation *BuiltDerivation
	Scope      Position
}

// addSchemaResources puts every schema document, fetched or inline, into the schema index.
func (b *builder) addSchemaResources() {
	for _, url := range sortedKeys(b.cat.Resources) {
		r := b.cat.Resources[url]
		if r.Kind != KindJSONSchema {
			continue
		}
		if err := b.index.Add(url, r.Content); err != nil {
			b.errorf(Position{URL: url, Line: 1, Col: 1}, "schema.invalid", "", "%v", err)
		}
	}
	for _, c := range b.cat.Collections {
		for _, s := range []*SchemaRef{c.Schema, c.WriteSchema, c.ReadSchema} {
			if s != nil && s.IsInline {
				if err := b.index.Add(s.URL, s.Inline); err != nil {
					b.errorf(s.Scope, "schema.invalid", "", "%v", err)
				}
			}
		}
	}
}

func (b *builder) buildCollections() {
	sorted := append([]*Collection(nil), b.cat.Collections...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	b.byName = make(map[string]*BuiltCollection, len(sorted))
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
		bc.WriteSchema = b.compileCollectionSchema(c.Schema)
		bc.ReadSchema = bc.WriteSchema
	case c.Schema == nil && c.WriteSchema != nil && c.ReadSchema != nil:
		bc.WriteSchema = b.compileCollectionSchema(c.WriteSchema)
		bc.ReadSchema = b.compileCollectionSchema(c.ReadSchema)
	default:
		b.errorf(c.Scope, "collection.schema-combination", "write `schema`, or both `writeSchema` and `readSchema`",
			"collection %s must define either `schema` or both of `writeSchema` and `readSchema`", c.Name)
	}
	if len(c.Key) == 0 {
		b.errorf(b.at(c.Scope, "key"), "collection.key-empty", "list the JSON pointers that identify a document, like key: [/id]",
			"collection %s key cannot be empty", c.Name)
	}
	for i, ptr := range c.Key {
		b.checkPointer(ptr, b.at(c.Scope, "key", itoa(i)))
	}
	b.checkProjections(bc)
	return bc
}

// compileCollectionSchema compiles a collection schema and checks that its root is an object, as
// Flow writes `_meta` into every document.
func (b *builder) compileCollectionSchema(ref *SchemaRef) *schema.Schema {
	s, err := b.index.Compile(ref.URL)
	if err != nil {
		b.errorf(ref.Scope, "schema.compile", "", "%v", err)
		return nil
	}
	if t := s.Shape().Types; t != schema.Object {
		b.errorf(ref.Scope, "collection.schema-not-object", "add `type: object` at the schema's root",
			"collection schema %s must have type object, but its root accepts %s", displayURL(ref.URL), t)
	}
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
		b.checkPointer(p.Location, b.at(p.Scope, "location"))
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
