package runtime

import (
	"context"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// selectorOf converts a catalog partition selector (nil: all partitions).
func selectorOf(s *catalog.Selector) *journal.Selector {
	if s == nil {
		return nil
	}
	return &journal.Selector{Include: s.Include, Exclude: s.Exclude}
}

// DeriveSources are the reads of a derivation's enabled transforms, and the transform index of each
// (disabled transforms are not read), as the derivation shard, the test runner and preview read them.
func DeriveSources(c *catalog.BuiltCollection) ([]Source, []int) {
	var sources []Source
	var transforms []int
	for i, t := range c.Derivation.Transforms {
		if t.Disable {
			continue
		}
		sources = append(sources, Source{
			Collection: t.Source.Name,
			ReadSuffix: "derive/" + c.Name + "/" + t.Name,
			Partitions: selectorOf(t.Partitions),
			NotBefore:  t.NotBefore,
			NotAfter:   t.NotAfter,
			ReadDelay:  t.ReadDelay,
			Priority:   t.Priority,
		})
		transforms = append(transforms, i)
	}
	return sources, transforms
}

// caughtUp reports whether a reader that found nothing ready has read everything: every known
// journal to its end and no journal created since it last looked (which a Wake may not have
// announced yet).
func caughtUp(ctx context.Context, reader *Reader) (bool, error) {
	if !reader.CaughtUp() {
		return false, nil
	}
	found, err := reader.Discover(ctx)
	return !found, err
}
