package catalog

import (
	"fmt"
	"sort"

	"github.com/flowctl/flowctl/pkg/schema"
)

// checkGroupBy checks a binding's `fields.groupBy`: each field must be a projection of the source
// collection whose location can key documents (flow-spec 8 #22), since the materialization
// reduces and stores documents by it instead of the collection key.
func (b *builder) checkGroupBy(source *BuiltCollection, bind *MaterializationBinding, referrer string) {
	if source.Projections == nil {
		return // the source's schema did not build, which is reported there
	}
	fields := make([]string, len(source.Projections))
	for i, p := range source.Projections {
		fields[i] = p.Field
	}
	for i, field := range bind.Fields.GroupBy {
		at := b.at(bind.Scope, "fields", "groupBy", itoa(i))
		p := source.projection(field)
		if p == nil {
			hint := "groupBy names projection fields of the source collection, like " + fields[0]
			if s := suggest(field, fields, 4); s != "" {
				hint = fmt.Sprintf("did you mean %s?", s)
			}
			b.errorf(at, "binding.groupby-field", hint, "%s: groupBy field %s is not a projection of collection %s", referrer, field, source.Name)
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
