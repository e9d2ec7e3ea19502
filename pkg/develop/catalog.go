package develop

import (
	"context"
	"fmt"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// LoadCatalog loads and builds a catalog, returning every error it has as one error.
func LoadCatalog(ctx context.Context, source string) (*catalog.Built, error) {
	cat, diags := catalog.Load(ctx, source)
	if cat == nil || diags.HasErrors() {
		return nil, fmt.Errorf("%s does not load:\n%s", source, diags.Error())
	}
	built, diags := catalog.Build(ctx, cat)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s does not build:\n%s", source, diags.Error())
	}
	return built, nil
}

// addCollections tells the journal store about every collection of a catalog, with its
// partitions and `journals.fragments` settings.
func addCollections(local *journal.Local, built *catalog.Built) error {
	for _, c := range built.Collections {
		spec := journal.CollectionSpec{Name: c.Name, PartitionFields: c.PartitionFields,
			Fragments: journal.FragmentTemplate{Length: int64(c.Fragments.Length) << 20, CompressionCodec: c.Fragments.CompressionCodec}}
		var err error
		if spec.Fragments.FlushInterval, err = parseDuration(c.Fragments.FlushInterval); err != nil {
			return fmt.Errorf("collection %s: journals.fragments.flushInterval: %w", c.Name, err)
		}
		if spec.Fragments.Retention, err = parseDuration(c.Fragments.Retention); err != nil {
			return fmt.Errorf("collection %s: journals.fragments.retention: %w", c.Name, err)
		}
		if err := local.AddCollection(spec); err != nil {
			return fmt.Errorf("collection %s: %w", c.Name, err)
		}
	}
	return nil
}

// parseDuration parses a catalog duration such as "1h" or "30m" ("" is zero: the default).
func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 1h or 30m", s)
	}
	return d, nil
}
