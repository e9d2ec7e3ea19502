package catalog

import "go.yaml.in/yaml/v3"

// Catalog is every entity of a catalog and the files it was loaded from. Entities keep the order of
// their files; Build sorts them by name.
type Catalog struct {
	// Source is the URL of the root catalog file.
	Source string
	// Resources are the loaded files by URL (without fragment), each loaded once.
	Resources        map[string]*Resource
	Imports          []*Import
	Collections      []*Collection
	Captures         []*Capture
	Materializations []*Materialization
	Tests            []*Test
	StorageMappings  []*StorageMapping
}

// ResourceKind tells how a loaded file is used.
type ResourceKind string

// Kinds of resources.
const (
	KindCatalog    ResourceKind = "catalog"
	KindJSONSchema ResourceKind = "jsonSchema"
	KindConfig     ResourceKind = "config"
	KindFixture    ResourceKind = "documentsFixture"
)

// Resource is one loaded file.
type Resource struct {
	URL  string
	Kind ResourceKind
	// Content is the parsed JSON value of a YAML or JSON file, or the text (a string) of any other file.
	Content any
	// Node is the YAML node tree of a parsed file, kept to locate values by JSON pointer.
	Node *yaml.Node
}

// Import is one entry of a catalog's `import` list.
type Import struct {
	URL   string // absolute
	Scope Position
}

// Collection is a collection, or a derivation when Derive is set.
type Collection struct {
	Name        string
	Scope       Position
	Schema      *SchemaRef // nil when WriteSchema and ReadSchema are given
	WriteSchema *SchemaRef
	ReadSchema  *SchemaRef
	Key         []string
	Projections []*Projection
	Journals    *Journals
	Derive      *Derivation
	ExpectPubID string
	Delete      bool
	Reset       bool
}

// SchemaRef is a collection schema: inline, or a URL of a schema file with an optional fragment.
type SchemaRef struct {
	// URL is what to compile: the file URL with its fragment, or for an inline schema the catalog
	// file URL with the schema's JSON pointer as fragment.
	URL string
	// Inline is the schema value when given in the catalog; nil for a file reference.
	Inline any
	// IsInline tells an inline `false` or null schema from a reference.
	IsInline bool
	Scope    Position
}

// Projection is an explicit projection: a field name for a document location.
type Projection struct {
	Field     string
	Location  string
	Partition bool
	Scope     Position
}

// Journals is a collection's journal template.
type Journals struct {
	Fragments FragmentTemplate
}

// FragmentTemplate says how a collection's journal fragments are cut and kept.
type FragmentTemplate struct {
	// Length is the target fragment size in MB before compression (Flow's default 512).
	Length int
	// CompressionCodec is NONE, GZIP, ZSTANDARD, SNAPPY or GZIP_OFFLOAD_DECOMPRESSION.
	CompressionCodec string
	Retention        string
	FlushInterval    string
}

// Derivation is a collection's `derive` block.
type Derivation struct {
	Using           DeriveUsing
	Transforms      []*Transform
	ShuffleKeyTypes []string
	Shards          *ShardTemplate
	Scope           Position
}

// DeriveUsing is the one runtime a derivation uses.
type DeriveUsing struct {
	SQLite     *SQLite
	TypeScript *Module
	Python     *Module
	Connector  *Connector
	Local      *Local
}

// SQLite holds a SQLite derivation's migrations, applied in order.
type SQLite struct {
	Migrations []*FileOrInline
}

// Module is a TypeScript or Python module.
type Module struct {
	Module *FileOrInline
}

// Transform reads one source collection into a derivation.
type Transform struct {
	Name      string
	Source    Source
	Shuffle   *Shuffle // nil when missing (an error)
	Priority  uint32
	ReadDelay string
	Lambda    *FileOrInline
	Disable   bool
	Backfill  uint32
	Scope     Position
}

// Shuffle says which shard of a derivation reads a source document.
type Shuffle struct {
	Any    bool
	Key    []string
	Lambda *FileOrInline
}

// Source is a collection read by a transform or materialization binding.
type Source struct {
	Name       string
	Partitions *Selector
	NotBefore  string
	NotAfter   string
	Scope      Position
}

// Selector selects logical partitions by field values.
type Selector struct {
	Include map[string][]any
	Exclude map[string][]any
	Scope   Position
}

// Endpoint is a connector image or a local command.
type Endpoint struct {
	Connector *Connector
	Local     *Local
	Scope     Position
}

// Connector is an image with its configuration.
type Connector struct {
	Image  string
	Config *FileOrInline
}

// Local is a command run on this machine (development only).
type Local struct {
	Command  []string
	Config   *FileOrInline
	Env      map[string]string
	Protobuf bool
}

// ShardTemplate tunes the shards of a task.
type ShardTemplate struct {
	Disable         bool
	MinTxnDuration  string
	MaxTxnDuration  string
	HotStandbys     uint32
	RingBufferSize  uint32
	ReadChannelSize uint32
	LogLevel        string
}

// Capture writes documents from an endpoint into collections.
type Capture struct {
	Name         string
	Scope        Position
	Endpoint     Endpoint
	Bindings     []*CaptureBinding
	Interval     string
	AutoDiscover *AutoDiscover
	Shards       *ShardTemplate
	ExpectPubID  string
	Delete       bool
	Reset        bool
}

// CaptureBinding binds an endpoint resource to a target collection.
type CaptureBinding struct {
	Resource *FileOrInline
	Target   string
	Disable  bool
	Backfill uint32
	Scope    Position
}

// AutoDiscover asks the control plane to discover periodically.
type AutoDiscover struct {
	AddNewBindings                bool
	EvolveIncompatibleCollections bool
}

// Materialization writes collections into an endpoint.
type Materialization struct {
	Name                       string
	Scope                      Position
	Endpoint                   Endpoint
	Bindings                   []*MaterializationBinding
	SourceCapture              string
	OnIncompatibleSchemaChange string
	Shards                     *ShardTemplate
	ExpectPubID                string
	Delete                     bool
	Reset                      bool
}

// MaterializationBinding binds a source collection to an endpoint resource.
type MaterializationBinding struct {
	Resource                   *FileOrInline
	Source                     Source
	Disable                    bool
	Priority                   uint32
	Fields                     *FieldSelection
	Backfill                   uint32
	OnIncompatibleSchemaChange string
	Scope                      Position
}

// FieldSelection chooses the fields a materialization binding writes.
type FieldSelection struct {
	// Recommended is Flow's depth: -1 for `true` (any depth, the default), 0 for `false`, or a depth.
	Recommended int
	Require     map[string]any
	Exclude     []string
	GroupBy     []string
}

// Test is a named sequence of ingest and verify steps.
type Test struct {
	Name        string
	Description string
	Steps       []*TestStep
	Scope       Position
}

// TestStep ingests documents into a collection or verifies a collection's documents.
type TestStep struct {
	// Ingest is true for an ingest step, false for a verify step.
	Ingest      bool
	Description string
	Collection  Source // Partitions only on verify steps
	Documents   *FileOrInline
	Scope       Position
}

// StorageMapping maps a catalog prefix to fragment stores.
type StorageMapping struct {
	Prefix string
	Stores []Store
	Scope  Position
}

// Store is a fragment store, normalised to a URL such as s3://bucket/prefix/ or file:///abs/dir/.
type Store struct {
	URL   string
	Scope Position
}

// FileOrInline is a value given inline or as a relative URL of a file, by Flow's rule: a string
// without whitespace names a file. YAML and JSON files are parsed; other files become their text.
type FileOrInline struct {
	// Value is the inline value or the file's content (a JSON value, or a string of text).
	Value any
	// URL is the absolute URL of the file, or "" when the value is inline.
	URL   string
	Kind  ResourceKind
	Scope Position
}

// Text returns the value as text (SQL, TypeScript), and false when it is not a string.
func (f *FileOrInline) Text() (string, bool) {
	if f == nil {
		return "", false
	}
	s, ok := f.Value.(string)
	return s, ok
}
