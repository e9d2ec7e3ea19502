package catalog

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/flowctl/flowctl/pkg/schema"
)

// checkGroupBy checks a binding's field names: `require` and `exclude` name projections of the
// source collection, and each `groupBy` field must be one whose location can key documents
// (flow-spec 8 #22), since the materialization reduces and stores documents by it instead of the
// collection key.
func (b *builder) checkGroupBy(source *BuiltCollection, bind *MaterializationBinding, referrer string) {
	if source.Projections == nil {
		return // the source's schema did not build, which is reported there
	}
	fields := make([]string, len(source.Projections))
	for i, p := range source.Projections {
		fields[i] = p.Field
	}
	unknown := func(field, stanza string) string {
		if s := suggest(field, fields, 4); s != "" {
			return fmt.Sprintf("did you mean %s?", s)
		}
		return stanza + " names projection fields of the source collection, like " + fields[0]
	}
	// Flow's build reports unknown require and exclude fields in these words once a connector
	// validates the binding; check reports them without one, with their place in the file.
	for _, field := range slices.Sorted(maps.Keys(bind.Fields.Require)) {
		if source.projection(field) == nil {
			b.errorf(b.at(bind.Scope, "fields", "require", field), "binding.require-field", unknown(field, "require"),
				"%s: required projection %s does not exist in collection %s", referrer, field, source.Name)
		}
	}
	for i, field := range bind.Fields.Exclude {
		if source.projection(field) == nil {
			b.errorf(b.at(bind.Scope, "fields", "exclude", itoa(i)), "binding.exclude-field", unknown(field, "exclude"),
				"%s: exclude projection %s does not exist in collection %s", referrer, field, source.Name)
		}
	}
	for i, field := range bind.Fields.GroupBy {
		at := b.at(bind.Scope, "fields", "groupBy", itoa(i))
		p := source.projection(field)
		if p == nil {
			b.errorf(at, "binding.groupby-field", unknown(field, "groupBy"), "%s: groupBy field %s is not a projection of collection %s", referrer, field, source.Name)
			continue
		}
		if !p.Inference.Types.Keyable() {
			b.errorf(at, "binding.groupby-type", "group by a location of exactly one type: string, integer or boolean (optionally with null)",
				"%s: groupBy field %s accepts %q, but groupBy locations may only be null-able integers, strings, or booleans",
				referrer, field, p.Inference.Types.String())
		}
	}
}

// projection returns the projection of a field, or nil (Projections are sorted by field).
func (c *BuiltCollection) projection(field string) *schema.Projection {
	i := sort.Search(len(c.Projections), func(i int) bool { return c.Projections[i].Field >= field })
	if i < len(c.Projections) && c.Projections[i].Field == field {
		return &c.Projections[i]
	}
	return nil
}
