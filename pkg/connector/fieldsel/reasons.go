package fieldsel

import (
	"fmt"
	"strings"
)

// SelectKind is a rationale for selecting a field. Kinds are declared in Flow's rank order
// (crates/validation/src/field_selection.rs, enum Select): a higher kind outranks a lower one,
// both when one field has several rationales and when fields are walked to claim locations and
// endpoint names.
type SelectKind int

const (
	DesiredDepth SelectKind = iota
	CoreMetadata
	ConnectorRequiresLocation
	UserDefined
	CurrentValue
	PartitionKey
	ConnectorRequires
	UserRequires
	CurrentDocument
	GroupByKey
)

// RejectKind is a rationale for not selecting a field, in Flow's rank order (enum Reject).
type RejectKind int

const (
	NotSelected RejectKind = iota
	CoveredLocation
	ExcludedParent
	DuplicateLocation
	ConnectorIncompatible
	DuplicateFold
	ConnectorOmits
	CollectionOmits
	ConnectorForbids
	UserExcludes
)

// SelectReason is one rationale for selecting a field; Reason is the connector's, for the kinds
// that come from a constraint.
type SelectReason struct {
	Kind   SelectKind
	Reason string
}

// RejectReason is one rationale for rejecting a field. Reason is the connector's (ConnectorForbids,
// ConnectorIncompatible); FoldedField and OtherField describe a DuplicateFold.
type RejectReason struct {
	Kind        RejectKind
	Reason      string
	FoldedField string
	OtherField  string
}

// Flow derives Ord on its enums: variant first, then the variant's fields in order.
func (s SelectReason) compare(o SelectReason) int {
	if s.Kind != o.Kind {
		return int(s.Kind) - int(o.Kind)
	}
	return strings.Compare(s.Reason, o.Reason)
}

func (r RejectReason) compare(o RejectReason) int {
	switch {
	case r.Kind != o.Kind:
		return int(r.Kind) - int(o.Kind)
	case r.Reason != o.Reason:
		return strings.Compare(r.Reason, o.Reason)
	case r.FoldedField != o.FoldedField:
		return strings.Compare(r.FoldedField, o.FoldedField)
	}
	return strings.Compare(r.OtherField, o.OtherField)
}

// String is Flow's wording of the rationale.
func (s SelectReason) String() string {
	switch s.Kind {
	case DesiredDepth:
		return "field is within the desired depth"
	case CoreMetadata:
		return "field is important metadata which is typically selected"
	case ConnectorRequiresLocation:
		return fmt.Sprintf("field's location is required by the connector (%s)", s.Reason)
	case UserDefined:
		return "field is a user-defined projection"
	case CurrentValue:
		return "field is part of the current materialization"
	case PartitionKey:
		return "field is a partition key of the collection"
	case ConnectorRequires:
		return fmt.Sprintf("field is required by the connector (%s)", s.Reason)
	case UserRequires:
		return "field is required by the user's field selection"
	case CurrentDocument:
		return "field is currently used to store the document"
	case GroupByKey:
		return "field is part of the materialization group-by key"
	}
	return fmt.Sprintf("select kind %d", int(s.Kind))
}

// String is Flow's wording of the rationale.
func (r RejectReason) String() string {
	switch r.Kind {
	case NotSelected:
		return "field doesn't meet any selection criteria"
	case CoveredLocation:
		return "field's location is underneath another selected field"
	case ExcludedParent:
		return "field's parent location is excluded by the user's field selection"
	case DuplicateLocation:
		return "field's location is already materialized by another selected field"
	case ConnectorIncompatible:
		return fmt.Sprintf("connector cannot support this field without a backfill (%s)", r.Reason)
	case DuplicateFold:
		return fmt.Sprintf("field is represented by the endpoint as %q, which is ambiguous with selected field %q",
			r.FoldedField, r.OtherField)
	case ConnectorOmits:
		return "connector didn't return a constraint for this field"
	case CollectionOmits:
		return "field does not exist within the source collection"
	case ConnectorForbids:
		return fmt.Sprintf("field is forbidden by the connector (%s)", r.Reason)
	case UserExcludes:
		return "field is excluded by the user's field selection"
	}
	return fmt.Sprintf("reject kind %d", int(r.Kind))
}

// Outcome is what became of one field: selected (Select only), rejected (Reject only), or a
// conflict between a select reason that cannot be overridden and a reject reason (both).
type Outcome struct {
	Select *SelectReason
	Reject *RejectReason
}

// Conflict is a field that must be selected for one reason and cannot be for another.
type Conflict struct {
	Field  string
	Select SelectReason
	Reject RejectReason
}

// Error is Flow's wording, followed by what to change where one change resolves it.
func (c *Conflict) Error() string {
	msg := fmt.Sprintf("conflict for field %q: %s but %s", c.Field, c.Select, c.Reject)
	if hint := c.hint(); hint != "" {
		msg += "; " + hint
	}
	return msg
}

// Incompatible reports whether a backfill resolves the conflict: Flow then selects the field
// and acts on the binding's onIncompatibleSchemaChange.
func (c *Conflict) Incompatible() bool { return c.Reject.Kind == ConnectorIncompatible }

func (c *Conflict) hint() string {
	switch {
	case c.Reject.Kind == UserExcludes:
		return fmt.Sprintf("remove %q from the binding's fields.exclude", c.Field)
	case c.Reject.Kind == ConnectorIncompatible:
		return "increment the binding's backfill to rebuild its resource"
	case c.Select.Kind == UserRequires:
		return fmt.Sprintf("remove %q from the binding's fields.require", c.Field)
	case c.Select.Kind == GroupByKey:
		return "choose other fields.groupBy fields"
	}
	return ""
}
