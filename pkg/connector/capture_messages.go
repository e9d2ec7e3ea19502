package connector

import "encoding/json"

// SpecRequest asks a connector for its config and resource schemas.
type SpecRequest struct {
	ConnectorType ConnectorType   `json:"connectorType,omitempty"`
	Config        json.RawMessage `json:"config,omitempty"`
}

// CaptureRequest is a message from the runtime to a capture connector. Exactly one field is set.
type CaptureRequest struct {
	Spec        *SpecRequest        `json:"spec,omitempty"`
	Discover    *Discover           `json:"discover,omitempty"`
	Validate    *CaptureValidate    `json:"validate,omitempty"`
	Apply       *CaptureApply       `json:"apply,omitempty"`
	Open        *CaptureOpen        `json:"open,omitempty"`
	Acknowledge *CaptureAcknowledge `json:"acknowledge,omitempty"`
	Internal    []byte              `json:"$internal,omitempty"`
}

// Discover asks a capture connector for the bindings its endpoint offers.
type Discover struct {
	Name          string          `json:"name,omitempty"`
	ConnectorType ConnectorType   `json:"connectorType,omitempty"`
	Config        json.RawMessage `json:"config,omitempty"`
}

// CaptureValidate asks a capture connector to check a proposed task.
type CaptureValidate struct {
	Name          string                   `json:"name"`
	ConnectorType ConnectorType            `json:"connectorType,omitempty"`
	Config        json.RawMessage          `json:"config,omitempty"`
	Bindings      []CaptureValidateBinding `json:"bindings,omitempty"`
	LastCapture   *CaptureSpec             `json:"lastCapture,omitempty"`
	LastVersion   string                   `json:"lastVersion,omitempty"`
}

// CaptureValidateBinding is one proposed binding of CaptureValidate.
type CaptureValidateBinding struct {
	ResourceConfig json.RawMessage `json:"resourceConfig,omitempty"`
	Collection     CollectionSpec  `json:"collection"`
	Backfill       uint32          `json:"backfill,omitempty"`
}

// CaptureApply asks a capture connector to prepare its endpoint for a task version.
type CaptureApply struct {
	Capture     *CaptureSpec `json:"capture,omitempty"`
	Version     string       `json:"version,omitempty"`
	LastCapture *CaptureSpec `json:"lastCapture,omitempty"`
	LastVersion string       `json:"lastVersion,omitempty"`
}

// CaptureOpen starts a capture session.
type CaptureOpen struct {
	Capture *CaptureSpec    `json:"capture,omitempty"`
	Version string          `json:"version,omitempty"`
	Range   *RangeSpec      `json:"range,omitempty"`
	State   json.RawMessage `json:"state,omitempty"`
}

// CaptureAcknowledge tells a connector that Checkpoints of its checkpoints committed.
type CaptureAcknowledge struct {
	Checkpoints uint32 `json:"checkpoints,omitempty"`
}

// CaptureSpec is a built capture task.
type CaptureSpec struct {
	Name            string           `json:"name"`
	ConnectorType   ConnectorType    `json:"connectorType,omitempty"`
	Config          json.RawMessage  `json:"config,omitempty"`
	Bindings        []CaptureBinding `json:"bindings,omitempty"`
	IntervalSeconds uint32           `json:"intervalSeconds,omitempty"`
	// Shard and recovery-log templates and network ports are carried verbatim.
	ShardTemplate       json.RawMessage `json:"shardTemplate,omitempty"`
	RecoveryLogTemplate json.RawMessage `json:"recoveryLogTemplate,omitempty"`
	NetworkPorts        json.RawMessage `json:"networkPorts,omitempty"`
}

// CaptureBinding binds a resource of the endpoint to a collection.
type CaptureBinding struct {
	ResourceConfig json.RawMessage `json:"resourceConfig,omitempty"`
	ResourcePath   []string        `json:"resourcePath,omitempty"`
	Collection     CollectionSpec  `json:"collection"`
	Backfill       uint32          `json:"backfill,omitempty"`
	StateKey       string          `json:"stateKey,omitempty"`
}

// CaptureResponse is a message from a capture connector to the runtime. Exactly one field is set.
type CaptureResponse struct {
	Spec          *SpecResponse      `json:"spec,omitempty"`
	Discovered    *Discovered        `json:"discovered,omitempty"`
	Validated     *CaptureValidated  `json:"validated,omitempty"`
	Applied       *Applied           `json:"applied,omitempty"`
	Opened        *CaptureOpened     `json:"opened,omitempty"`
	Captured      *Captured          `json:"captured,omitempty"`
	SourcedSchema *SourcedSchema     `json:"sourcedSchema,omitempty"`
	Checkpoint    *CaptureCheckpoint `json:"checkpoint,omitempty"`
	Internal      []byte             `json:"$internal,omitempty"`
}

// SpecResponse describes a connector: its protocol, config schemas and documentation.
type SpecResponse struct {
	Protocol             uint32          `json:"protocol,omitempty"`
	ConfigSchema         json.RawMessage `json:"configSchema,omitempty"`
	ResourceConfigSchema json.RawMessage `json:"resourceConfigSchema,omitempty"`
	DocumentationURL     string          `json:"documentationUrl,omitempty"`
	OAuth2               json.RawMessage `json:"oauth2,omitempty"`
	ResourcePathPointers []string        `json:"resourcePathPointers,omitempty"`
}

// Discovered lists the bindings a capture endpoint offers.
type Discovered struct {
	Bindings []DiscoveredBinding `json:"bindings,omitempty"`
}

// DiscoveredBinding is one resource a capture can bind, with its document schema and key.
type DiscoveredBinding struct {
	RecommendedName string          `json:"recommendedName,omitempty"`
	ResourceConfig  json.RawMessage `json:"resourceConfig,omitempty"`
	DocumentSchema  json.RawMessage `json:"documentSchema,omitempty"`
	Key             []string        `json:"key,omitempty"`
	Disable         bool            `json:"disable,omitempty"`
	ResourcePath    []string        `json:"resourcePath,omitempty"`
	IsFallbackKey   bool            `json:"isFallbackKey,omitempty"`
}

// CaptureValidated answers CaptureValidate, one binding per request binding in order.
type CaptureValidated struct {
	Bindings []CaptureValidatedBinding `json:"bindings,omitempty"`
}

// CaptureValidatedBinding gives the resource path of a validated binding.
type CaptureValidatedBinding struct {
	ResourcePath []string `json:"resourcePath,omitempty"`
}

// Applied answers Apply with what the connector did.
type Applied struct {
	ActionDescription string          `json:"actionDescription,omitempty"`
	State             *ConnectorState `json:"state,omitempty"`
}

// CaptureOpened answers CaptureOpen.
type CaptureOpened struct {
	ExplicitAcknowledgements bool `json:"explicitAcknowledgements,omitempty"`
}

// Captured is one document of a binding.
type Captured struct {
	Binding uint32          `json:"binding,omitempty"`
	Doc     json.RawMessage `json:"doc,omitempty"`
}

// SourcedSchema updates a binding's document schema at the next checkpoint.
type SourcedSchema struct {
	Binding        uint32          `json:"binding,omitempty"`
	DocumentSchema json.RawMessage `json:"documentSchema,omitempty"`
}

// CaptureCheckpoint closes the documents captured since the previous checkpoint; State is required.
type CaptureCheckpoint struct {
	State *ConnectorState `json:"state,omitempty"`
}
