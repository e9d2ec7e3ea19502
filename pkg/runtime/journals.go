package runtime

import (
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// CollectionRegistry is a journal store that must know a collection (its partitions and fragment
// settings) before its journals are written, as journal.Local does.
type CollectionRegistry interface {
	AddCollection(journal.CollectionSpec) error
}

// ReservedNameError is a catalog collection whose name the runtime keeps for its own task logs and
// stats: the catalog cannot run as it is.
type ReservedNameError struct{ Collection string }

func (e *ReservedNameError) Error() string {
	return fmt.Sprintf("collection %s: the names %s and %s are reserved for task logs and stats; rename the collection",
		e.Collection, OpsLogsCollection, OpsStatsCollection)
}

// AddCollections registers every collection of a catalog with the journal store, refusing names
// reserved for the ops collections before it registers any.
func AddCollections(reg CollectionRegistry, built *catalog.Built) error {
	for _, c := range built.Collections {
		if IsOpsCollection(c.Name) {
			return &ReservedNameError{Collection: c.Name}
		}
	}
	for _, c := range built.Collections {
		if err := reg.AddCollection(JournalSpec(c)); err != nil {
			return fmt.Errorf("collection %s: %w", c.Name, err)
		}
	}
	return nil
}

// JournalSpec is the journal store's view of a collection: its logical partitions and its
// `journals.fragments` settings (zero values leave the store's defaults).
func JournalSpec(c *catalog.BuiltCollection) journal.CollectionSpec {
	return journal.CollectionSpec{
		Name:            c.Name,
		PartitionFields: c.PartitionFields,
		Fragments: journal.FragmentTemplate{
			Length:           int64(c.Fragments.Length) << 20,
			CompressionCodec: c.Fragments.CompressionCodec,
			FlushInterval:    catalog.ParseDuration(c.Fragments.FlushInterval),
			Retention:        catalog.ParseDuration(c.Fragments.Retention),
		},
	}
}
