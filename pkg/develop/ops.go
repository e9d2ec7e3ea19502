package develop

import (
	"fmt"

	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// addOpsCollections registers the collections of task logs and stats. runtime.AddCollections has
// refused catalog collections of the same names.
func addOpsCollections(local *journal.Local) error {
	for _, spec := range runtime.OpsCollectionSpecs() {
		if err := local.AddCollection(spec); err != nil {
			return fmt.Errorf("ops collection %s: %w", spec.Name, err)
		}
	}
	return nil
}
