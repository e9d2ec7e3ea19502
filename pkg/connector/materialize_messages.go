package connector

import "encoding/json"

// MaterializeRequest is a message from the runtime to a materialize connector. Exactly one field
// is set.
type MaterializeRequest struct {
	Spec        *SpecRequest            `json:"spec,omitempty"`
	Validate    *MaterializeValidate    `json:"validate,omitempty"`
	Apply       *MaterializeApply       `json:"apply,omitempty"`
	Open        *MaterializeOpen        `json:"open,omitempty"`
	Load        *Load                   `json:"load,omitempty"`
	Flush       *Flush                  `json:"flush,omitempty"`
	Store       *Store                  `json:"store,omitempty"`
	StartCommit *StartCommit            `json:"startCommit,omitempty"`
	Acknowledge *MaterializeAcknowledge `json:"acknowledge,omitempty"`
	Internal    []byte                  `json:"$internal,omitempty"`
}

// MaterializeValidate asks a materialize connector for the constraints of a proposed task.
type MaterializeValidate struct {
	Name                string                       `json:"name"`
	ConnectorType       ConnectorType                `json:"connectorType,omitempty"`
	Config              json.RawMessage              `json:"config,omitempty"`
	Bindings            []MaterializeValidateBinding `json:"bindings,omitempty"`
	LastMaterialization *MaterializationSpec         `json:"lastMaterialization,omitempty"`
	LastVersion         string                       `json:"lastVersion,omitempty"`
}

// MaterializeValidateBinding is one proposed binding of MaterializeValidate.
type MaterializeValidateBinding struct {
	ResourceConfig json.RawMessage            `json:"resourceConfig,omitempty"`
	Collection     CollectionSpec             `json:"collection"`
	FieldConfig    map[string]json.RawMessage `json:"fieldConfig,omitempty"`
	Backfill       uint32                     `json:"backfill,omitempty"`
	GroupBy        []string                   `json:"groupBy,omitempty"`
}

// MaterializeApply asks a materialize connector to create or update its endpoint's resources.
type MaterializeApply struct {
	Materialization     *MaterializationSpec `json:"materialization,omitempty"`
	Version             string               `json:"version,omitempty"`
	LastMaterialization *MaterializationSpec `json:"lastMaterialization,omitempty"`
	LastVersion         string               `json:"lastVersion,omitempty"`
	State               json.RawMessage      `json:"state,omitempty"`
}

// MaterializeOpen starts a materialization session.
type MaterializeOpen struct {
	Materialization *MaterializationSpec `json:"materialization,omitempty"`
	Version         string               `json:"version,omitempty"`
	Range           *RangeSpec           `json:"range,omitempty"`
	State           json.RawMessage      `json:"state,omitempty"`
}

// Load asks for the stored document of a key. Key is a JSON array; KeyPacked is its
// FoundationDB tuple encoding. Senders may set either or both.
type Load struct {
	Binding   uint32          `json:"binding,omitempty"`
	Key       json.RawMessage `json:"key,omitempty"`
	KeyPacked []byte          `json:"keyPacked,omitempty"`
}

// Flush ends the loads of a transaction.
type Flush struct {
	StatePatches []json.RawMessage `json:"statePatches,omitempty"`
}

// Store writes a reduced document. Exists says the key was loaded from (or is known to be in)
// the endpoint; Delete says the document is a deletion (`_meta/op` is "d").
type Store struct {
	Binding      uint32          `json:"binding,omitempty"`
	Key          json.RawMessage `json:"key,omitempty"`
	KeyPacked    []byte          `json:"keyPacked,omitempty"`
	Values       json.RawMessage `json:"values,omitempty"`
	ValuesPacked []byte          `json:"valuesPacked,omitempty"`
	Doc          json.RawMessage `json:"doc,omitempty"`
	Exists       bool            `json:"exists,omitempty"`
	Delete       bool            `json:"delete,omitempty"`
}

// StartCommit ends the stores of a transaction and carries the runtime checkpoint to commit.
type StartCommit struct {
	RuntimeCheckpoint *Checkpoint       `json:"runtimeCheckpoint,omitempty"`
	StatePatches      []json.RawMessage `json:"statePatches,omitempty"`
}

// MaterializeAcknowledge tells the connector the runtime's transaction committed.
type MaterializeAcknowledge struct {
	StatePatches []json.RawMessage `json:"statePatches,omitempty"`
}

// MaterializationSpec is a built materialization task.
type MaterializationSpec struct {
	Name          string                   `json:"name"`
	ConnectorType ConnectorType            `json:"connectorType,omitempty"`
	Config        json.RawMessage          `json:"config,omitempty"`
	Bindings      []MaterializationBinding `json:"bindings,omitempty"`
	// Shard and recovery-log templates, network ports and triggers are carried verbatim.
	ShardTemplate       json.RawMessage `json:"shardTemplate,omitempty"`
	RecoveryLogTemplate json.RawMessage `json:"recoveryLogTemplate,omitempty"`
	NetworkPorts        json.RawMessage `json:"networkPorts,omitempty"`
	Triggers            json.RawMessage `json:"triggers,omitempty"`
}

// MaterializationBinding binds a collection to a resource of the endpoint.
type MaterializationBinding struct {
	ResourceConfig    json.RawMessage `json:"resourceConfig,omitempty"`
	ResourcePath      []string        `json:"resourcePath,omitempty"`
	Collection        CollectionSpec  `json:"collection"`
	PartitionSelector json.RawMessage `json:"partitionSelector,omitempty"`
	Priority          uint32          `json:"priority,omitempty"`
	FieldSelection    FieldSelection  `json:"fieldSelection"`
	DeltaUpdates      bool            `json:"deltaUpdates,omitempty"`
	JournalReadSuffix string          `json:"journalReadSuffix,omitempty"`
	NotBefore         string          `json:"notBefore,omitempty"`
	NotAfter          string          `json:"notAfter,omitempty"`
	Backfill          uint32          `json:"backfill,omitempty"`
	StateKey          string          `json:"stateKey,omitempty"`
	SerPolicy         json.RawMessage `json:"serPolicy,omitempty"`
}

// MaterializeResponse is a message from a materialize connector to the runtime. Exactly one field
// is set.
type MaterializeResponse struct {
	Spec          *SpecResponse         `json:"spec,omitempty"`
	Validated     *MaterializeValidated `json:"validated,omitempty"`
	Applied       *Applied              `json:"applied,omitempty"`
	Opened        *MaterializeOpened    `json:"opened,omitempty"`
	Loaded        *Loaded               `json:"loaded,omitempty"`
	Flushed       *StateUpdate          `json:"flushed,omitempty"`
	StartedCommit *StateUpdate          `json:"startedCommit,omitempty"`
	Acknowledged  *StateUpdate          `json:"acknowledged,omitempty"`
	Internal      []byte                `json:"$internal,omitempty"`
}

// MaterializeValidated answers MaterializeValidate, one binding per request binding in order.
type MaterializeValidated struct {
	Bindings []MaterializeValidatedBinding `json:"bindings,omitempty"`
}

// MaterializeValidatedBinding gives a binding's field constraints and resource path.
type MaterializeValidatedBinding struct {
	Constraints  map[string]Constraint `json:"constraints,omitempty"`
	ResourcePath []string              `json:"resourcePath,omitempty"`
	DeltaUpdates bool                  `json:"deltaUpdates,omitempty"`
	SerPolicy    json.RawMessage       `json:"serPolicy,omitempty"`
}

// ConstraintType is how a connector treats a projected field (JSON enum names).
type ConstraintType string

// Constraint types, from most to least demanding.
const (
	FieldRequired       ConstraintType = "FIELD_REQUIRED"
	LocationRequired    ConstraintType = "LOCATION_REQUIRED"
	LocationRecommended ConstraintType = "LOCATION_RECOMMENDED"
	FieldOptional       ConstraintType = "FIELD_OPTIONAL"
	FieldForbidden      ConstraintType = "FIELD_FORBIDDEN"
	Incompatible        ConstraintType = "INCOMPATIBLE"
)

// Constraint is a connector's constraint on one field, with the reason a user reads.
type Constraint struct {
	Type        ConstraintType `json:"type"`
	Reason      string         `json:"reason,omitempty"`
	FoldedField string         `json:"foldedField,omitempty"`
}

// MaterializeOpened answers MaterializeOpen. A non-nil RuntimeCheckpoint is the checkpoint the
// endpoint holds, and overrides the runtime's own.
type MaterializeOpened struct {
	RuntimeCheckpoint       *Checkpoint `json:"runtimeCheckpoint,omitempty"`
	DisableLoadOptimization bool        `json:"disableLoadOptimization,omitempty"`
}

// Loaded is a stored document of a loaded key.
type Loaded struct {
	Binding uint32          `json:"binding,omitempty"`
	Doc     json.RawMessage `json:"doc,omitempty"`
}

// StateUpdate answers Flush, StartCommit and Acknowledge with an optional connector state update.
type StateUpdate struct {
	State *ConnectorState `json:"state,omitempty"`
}
