package testrunner

import (
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

// entry is one committed document of a collection.
type entry struct {
	clock      journal.Clock
	uuid       journal.UUID
	doc        map[string]any
	raw        []byte
	partitions []journal.PartitionValue
}

// collectionLog holds a collection's documents in publish order. Tests run in one process with
// a synthetic clock, so a log in memory stands in for the collection's journals: every write is
// one committed transaction, and partition values are kept for selectors.
type collectionLog struct {
	collection *catalog.BuiltCollection
	partitions []doc.Pointer // by collection.PartitionFields
	entries    []entry
}

func newCollectionLog(c *catalog.BuiltCollection) (*collectionLog, error) {
	l := &collectionLog{collection: c}
	for _, field := range c.PartitionFields {
		ptr := ""
		for _, p := range c.Projections {
			if p.Field == field {
				ptr = p.Ptr
			}
		}
		parsed, err := doc.ParsePointer(ptr)
		if err != nil {
			return nil, fmt.Errorf("collection %s partition %s: %w", c.Name, field, err)
		}
		l.partitions = append(l.partitions, parsed)
	}
	return l, nil
}

// append stamps doc with a UUID at the next tick of clock and adds it to the log.
func (l *collectionLog) append(clock *journal.Clock, producer journal.ProducerID, d map[string]any) error {
	c := clock.Tick()
	// Every write of a test commits at once, so documents stand outside of transactions.
	u, err := journal.BuildUUID(producer, c, journal.FlagOutside)
	if err != nil {
		return err
	}
	meta, _ := d["_meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	meta["uuid"] = u.String()
	d["_meta"] = meta
	e := entry{clock: c, uuid: u, doc: d, raw: doc.Append(nil, d)}
	for i, ptr := range l.partitions {
		v, _ := ptr.Query(d)
		e.partitions = append(e.partitions, journal.PartitionValue{Field: l.collection.PartitionFields[i], Value: v})
	}
	l.entries = append(l.entries, e)
	return nil
}

// selects reports whether a selector (nil: every partition) picks the entry's logical partition.
func selects(sel *catalog.Selector, e *entry) bool {
	if sel == nil {
		return true
	}
	return journal.Selector{Include: sel.Include, Exclude: sel.Exclude}.Matches(e.partitions)
}
