package journal

import (
	"context"
	"time"
)

// Client is the journal API the runtime uses. Local implements it on a data directory; an
// implementation on Gazette brokers (whose Appender, Reader and ListFragments it mirrors) can replace it.
type Client interface {
	// Append durably appends a transaction's content to one or more journals and returns once all of
	// it is durable. The content of each Append is contiguous in its journal and in one fragment.
	Append(ctx context.Context, appends []Append) error
	// Read returns a reader of a journal's content from an offset.
	Read(ctx context.Context, req ReadRequest) (ChunkReader, error)
	// ListJournals lists the journals of a collection (all journals if collection is "").
	ListJournals(ctx context.Context, collection string) ([]JournalInfo, error)
	// ListFragments lists the persisted fragments of a journal in offset order.
	ListFragments(ctx context.Context, journal string) ([]Fragment, error)
}

// Append is content for one journal: whole JSON lines, each ending in "\n".
type Append struct {
	Journal string
	Content []byte
}

// ReadRequest says where to read a journal from.
type ReadRequest struct {
	Journal string
	// Offset is the first byte to read. An offset inside a document skips to the next one; an offset
	// before the oldest content still stored skips forward to it.
	Offset int64
	// Block makes Next wait for new content at the write head instead of returning io.EOF.
	Block bool
}

// Chunk is content [Begin, Begin+len(Data)) of a journal. Data belongs to the caller: a ChunkReader
// never reuses it, so documents sliced from it may be kept.
type Chunk struct {
	Journal string
	Begin   int64
	Data    []byte
}

// ChunkReader reads a journal's content in order. Next returns io.EOF at the write head of a
// non-blocking read, and ctx.Err() when the context ends a blocking one.
type ChunkReader interface {
	Next(ctx context.Context) (Chunk, error)
	Close() error
}

// CollectionSpec is what storage needs of a collection (the catalog stays out of this package).
type CollectionSpec struct {
	Name string
	// PartitionTemplate is the prefix of the collection's journal names; empty means Name.
	PartitionTemplate string
	// PartitionFields are the logically partitioned fields, by name.
	PartitionFields []string
	Fragments       FragmentTemplate
}

// FragmentTemplate is a collection's journals.fragments settings. Zero values take Flow's defaults.
type FragmentTemplate struct {
	// Length is the size in bytes at which a fragment is persisted (default 512 MiB).
	Length int64 `json:"length"`
	// CompressionCodec is GZIP (default) or NONE.
	CompressionCodec string `json:"compressionCodec,omitempty"`
	// FlushInterval persists fragments at each multiple of it in UTC (default 24h).
	FlushInterval time.Duration `json:"flushInterval"`
	// Retention removes fragments persisted longer ago than it; zero keeps them forever.
	Retention time.Duration `json:"retention,omitempty"`
}

// Flow's defaults for a collection's fragments (crates/assemble).
const (
	DefaultFragmentLength = 512 << 20
	DefaultFlushInterval  = 24 * time.Hour
)

// JournalInfo describes a journal and where its fragments go.
type JournalInfo struct {
	Name       string           `json:"name"`
	Collection string           `json:"collection"`
	Template   string           `json:"template"`
	Store      string           `json:"store"`
	Fragments  FragmentTemplate `json:"fragments"`
}
