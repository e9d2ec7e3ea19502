package catalog

import "time"

// Built is a checked catalog, ready to run: every entity sorted by name with its references
// resolved. Tests are ordered by file, then name, as Flow runs them.
type Built struct {
	Catalog          *Catalog
	Collections      []*BuiltCollection
	Captures         []*BuiltCapture
	Materializations []*BuiltMaterialization
	Tests            []*BuiltTest
	// StorageMappings are sorted by prefix, longest first among nested prefixes.
	StorageMappings []BuiltStorageMapping
}

// Collection returns the built collection of that name, or nil.
func (b *Built) Collection(name string) *BuiltCollection {
	lo, hi := 0, len(b.Collections)
	for lo < hi {
		mid := (lo + hi) / 2
		if b.Collections[mid].Name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(b.Collections) && b.Collections[lo].Name == name {
		return b.Collections[lo]
	}
	return nil
}

// BuiltStorageMapping maps a catalog prefix to the URLs of its fragment stores, the first being
// where new fragments are written.
type BuiltStorageMapping struct {
	Prefix string
	Stores []string
}

// BuiltDerivation is a derivation's transforms with their sources resolved.
type BuiltDerivation struct {
	Def        *Derivation
	Transforms []*BuiltTransform
	// Migrations are the SQLite migration scripts, in order (nil for other runtimes).
	Migrations []string
	// ShuffleKeyTypes are the declared or inferred JSON types of the shuffle key.
	ShuffleKeyTypes []string
}

// BuiltTransform is one transform of a derivation.
type BuiltTransform struct {
	Name   string
	Def    *Transform
	Source *BuiltCollection
	// Partitions selects the source's logical partitions (nil: all).
	Partitions *Selector
	// ShuffleKey holds the shuffle key pointers; empty for `shuffle: any` and lambda shuffles.
	ShuffleKey []string
	// Lambda is the SQL text (SQLite) or "" when the runtime's module implements the transform.
	Lambda string
	// Statements are Lambda split into statements, each prepared against the migrated database.
	Statements []string
	// ReadOnly is true when every statement only reads (no INSERT, UPDATE, DELETE or DDL).
	ReadOnly  bool
	ReadDelay time.Duration
	Priority  uint32
	NotBefore time.Time // zero: unbounded
	NotAfter  time.Time // zero: unbounded
	Backfill  uint32
	Disable   bool
}

// BuiltCapture is a capture with its target collections resolved.
type BuiltCapture struct {
	Name     string
	Def      *Capture
	Bindings []*BuiltCaptureBinding
	Interval time.Duration
}

// BuiltCaptureBinding binds a resource config to a target collection.
type BuiltCaptureBinding struct {
	Def      *CaptureBinding
	Resource any
	Target   *BuiltCollection
}

// BuiltMaterialization is a materialization with its source collections resolved.
type BuiltMaterialization struct {
	Name     string
	Def      *Materialization
	Bindings []*BuiltMaterializationBinding
}

// BuiltMaterializationBinding binds a source collection to a resource config.
type BuiltMaterializationBinding struct {
	Def        *MaterializationBinding
	Resource   any
	Source     *BuiltCollection
	Partitions *Selector
}

// BuiltTest is a test with its steps' collections and documents resolved.
type BuiltTest struct {
	Name  string
	Def   *Test
	Steps []*BuiltTestStep
}

// BuiltTestStep ingests or verifies documents of one collection.
type BuiltTestStep struct {
	Ingest     bool
	Def        *TestStep
	Collection *BuiltCollection
	Partitions *Selector
	Documents  []any
	Scope      Position
}
