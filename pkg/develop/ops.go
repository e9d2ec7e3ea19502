package develop

import (
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// addOpsCollections registers the collections of task logs and stats, after checking that the
// catalog does not define collections of the same names.
func addOpsCollections(local *journal.Local, built *catalog.Built) error {
	for _, c := range built.Collections {
		if runtime.IsOpsCollection(c.Name) {
			return fmt.Errorf("collection %s: the names %s and %s are reserved for task logs and stats; rename the collection",
				c.Name, runtime.OpsLogsCollection, runtime.OpsStatsCollection)
		}
	}
	for _, spec := range runtime.OpsCollectionSpecs() {
		if err := local.AddCollection(spec); err != nil {
			return fmt.Errorf("ops collection %s: %w", spec.Name, err)
		}
	}
	return nil
}
