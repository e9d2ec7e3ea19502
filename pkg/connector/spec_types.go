package connector

import "encoding/json"

// ConnectorType names how a task's connector runs, as in flow.proto (JSON enum names).
type ConnectorType string

// Connector types Flow writes into specs.
const (
	ConnectorTypeImage ConnectorType = "IMAGE"
	ConnectorTypeLocal ConnectorType = "LOCAL"
)

// ProtocolVersion is the version number connectors return in their Spec response.
const ProtocolVersion = 3032023

// RangeSpec is the key and r-clock range a shard covers; both ranges are inclusive.
type RangeSpec struct {
	KeyBegin    uint32 `json:"keyBegin,omitempty"`
	KeyEnd      uint32 `json:"keyEnd,omitempty"`
	RClockBegin uint32 `json:"rClockBegin,omitempty"`
	RClockEnd   uint32 `json:"rClockEnd,omitempty"`
}

// FullRange is the range of a task with a single shard.
var FullRange = RangeSpec{KeyEnd: ^uint32(0), RClockEnd: ^uint32(0)}

// ConnectorState is an update of a task's connector state. MergePatch applies Updated as an
// RFC 7396 merge patch onto the prior state; otherwise Updated replaces it.
type ConnectorState struct {
	Updated    json.RawMessage `json:"updated,omitempty"`
	MergePatch bool            `json:"mergePatch,omitempty"`
}

// CollectionSpec is a built collection as connectors see it.
type CollectionSpec struct {
	Name            string          `json:"name"`
	WriteSchema     json.RawMessage `json:"writeSchema,omitempty"`
	ReadSchema      json.RawMessage `json:"readSchema,omitempty"`
	Key             []string        `json:"key,omitempty"`
	UUIDPtr         string          `json:"uuidPtr,omitempty"`
	PartitionFields []string        `json:"partitionFields,omitempty"`
	Projections     []Projection    `json:"projections,omitempty"`
	AckTemplate     json.RawMessage `json:"ackTemplate,omitempty"`
	// PartitionTemplate is a gazette JournalSpec, carried verbatim.
	PartitionTemplate json.RawMessage `json:"partitionTemplate,omitempty"`
	Derivation        json.RawMessage `json:"derivation,omitempty"`
}

// Projection maps a field name to a document location with what inference knows about it.
type Projection struct {
	Ptr            string    `json:"ptr,omitempty"`
	Field          string    `json:"field"`
	Explicit       bool      `json:"explicit,omitempty"`
	IsPrimaryKey   bool      `json:"isPrimaryKey,omitempty"`
	IsPartitionKey bool      `json:"isPartitionKey,omitempty"`
	Inference      Inference `json:"inference"`
}

// Existence values of Inference.Exists.
const (
	ExistsMust     = "MUST"
	ExistsMay      = "MAY"
	ExistsImplicit = "IMPLICIT"
	ExistsCannot   = "CANNOT"
)

// Inference is the static shape of one projected location.
type Inference struct {
	Types            []string          `json:"types,omitempty"`
	String           *StringInference  `json:"string,omitempty"`
	Title            string            `json:"title,omitempty"`
	Description      string            `json:"description,omitempty"`
	Default          json.RawMessage   `json:"default,omitempty"`
	Secret           bool              `json:"secret,omitempty"`
	Exists           string            `json:"exists,omitempty"`
	Numeric          *NumericInference `json:"numeric,omitempty"`
	Array            *ArrayInference   `json:"array,omitempty"`
	Enum             []json.RawMessage `json:"enum,omitempty"`
	Reduce           string            `json:"reduce,omitempty"`
	Redact           string            `json:"redact,omitempty"`
	ContentMediaType string            `json:"contentMediaType,omitempty"`
}

// StringInference describes a string location.
type StringInference struct {
	ContentType     string `json:"contentType,omitempty"`
	Format          string `json:"format,omitempty"`
	ContentEncoding string `json:"contentEncoding,omitempty"`
	MaxLength       uint32 `json:"maxLength,omitempty"`
}

// NumericInference holds a numeric location's bounds.
type NumericInference struct {
	HasMinimum bool    `json:"hasMinimum,omitempty"`
	Minimum    float64 `json:"minimum,omitempty"`
	HasMaximum bool    `json:"hasMaximum,omitempty"`
	Maximum    float64 `json:"maximum,omitempty"`
}

// ArrayInference holds an array location's bounds and item types.
type ArrayInference struct {
	MinItems    uint32   `json:"minItems,omitempty"`
	HasMaxItems bool     `json:"hasMaxItems,omitempty"`
	MaxItems    uint32   `json:"maxItems,omitempty"`
	ItemTypes   []string `json:"itemTypes,omitempty"`
}

// FieldSelection is the fields a materialization binding writes: keys, values and the
// document field ("" when the document is not materialized).
type FieldSelection struct {
	Keys        []string                   `json:"keys,omitempty"`
	Values      []string                   `json:"values,omitempty"`
	Document    string                     `json:"document,omitempty"`
	FieldConfig map[string]json.RawMessage `json:"fieldConfig,omitempty"`
}

// AllFields returns keys, then values, then the document field: the column order of SQL tables.
func (fs *FieldSelection) AllFields() []string {
	out := make([]string, 0, len(fs.Keys)+len(fs.Values)+1)
	out = append(append(out, fs.Keys...), fs.Values...)
	if fs.Document != "" {
		out = append(out, fs.Document)
	}
	return out
}

// Projection returns the collection's projection of field, or nil.
func (c *CollectionSpec) Projection(field string) *Projection {
	for i := range c.Projections {
		if c.Projections[i].Field == field {
			return &c.Projections[i]
		}
	}
	return nil
}

// Checkpoint is gazette's consumer.Checkpoint: how far a task has read each source journal.
type Checkpoint struct {
	Sources    map[string]SourceCheckpoint `json:"sources,omitempty"`
	AckIntents map[string][]byte           `json:"ackIntents,omitempty"`
}

// SourceCheckpoint is the read-through offset of one journal and its producers' states.
type SourceCheckpoint struct {
	ReadThrough int64           `json:"readThrough,string,omitempty"`
	Producers   []ProducerEntry `json:"producers,omitempty"`
}

// ProducerEntry is one producer of a journal, by its 6-byte ID.
type ProducerEntry struct {
	ID    []byte        `json:"id,omitempty"`
	State ProducerState `json:"state"`
}

// ProducerState is the last acknowledged clock of a producer and the clock of its open transaction
// (-1 when none).
type ProducerState struct {
	LastAck uint64 `json:"lastAck,string,omitempty"`
	Begin   int64  `json:"begin,string,omitempty"`
}
