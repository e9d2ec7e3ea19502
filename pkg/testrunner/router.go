package testrunner

import (
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

// router names the journal of a document's logical partition in one collection, as the runtime's
// collection writer does (whose router pkg/runtime does not export).
type router struct {
	collection string
	fields     []string
	ptrs       []doc.Pointer
}

func newRouter(c *catalog.BuiltCollection) (*router, error) {
	r := &router{collection: c.Name}
	for _, field := range c.PartitionFields {
		found := false
		for _, p := range c.Projections {
			if p.Field != field {
				continue
			}
			ptr, err := doc.ParsePointer(p.Ptr)
			if err != nil {
				return nil, fmt.Errorf("collection %s partition %s: %w", c.Name, field, err)
			}
			r.fields, r.ptrs, found = append(r.fields, field), append(r.ptrs, ptr), true
			break
		}
		if !found {
			return nil, fmt.Errorf("collection %s partitions on %s, which is not one of its projections", c.Name, field)
		}
	}
	return r, nil
}

// journalOf names the journal of d's logical partition.
func (r *router) journalOf(d map[string]any) (string, error) {
	values := make([]journal.PartitionValue, len(r.ptrs))
	for i, ptr := range r.ptrs {
		v, _ := ptr.Query(d)
		values[i] = journal.PartitionValue{Field: r.fields[i], Value: v}
	}
	name, err := journal.JournalName(r.collection, values)
	if err != nil {
		return "", fmt.Errorf("document of %s: partition: %w", r.collection, err)
	}
	return name, nil
}
