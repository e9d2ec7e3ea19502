package connector

import "strings"

// kindOf names the set fields of a message, as "spec", "load", or "open+load" when several are
// set, or "" when none is.
func kindOf(fields ...namedField) string {
	var names []string
	for _, f := range fields {
		if f.set {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, "+")
}

type namedField struct {
	name string
	set  bool
}

// Kind names the message, by its JSON field: "spec", "discover", "validate", "apply", "open" or
// "acknowledge".
func (m *CaptureRequest) Kind() string {
	return kindOf(namedField{"spec", m.Spec != nil}, namedField{"discover", m.Discover != nil},
		namedField{"validate", m.Validate != nil}, namedField{"apply", m.Apply != nil},
		namedField{"open", m.Open != nil}, namedField{"acknowledge", m.Acknowledge != nil})
}

// Kind names the message, by its JSON field.
func (m *CaptureResponse) Kind() string {
	return kindOf(namedField{"spec", m.Spec != nil}, namedField{"discovered", m.Discovered != nil},
		namedField{"validated", m.Validated != nil}, namedField{"applied", m.Applied != nil},
		namedField{"opened", m.Opened != nil}, namedField{"captured", m.Captured != nil},
		namedField{"sourcedSchema", m.SourcedSchema != nil}, namedField{"checkpoint", m.Checkpoint != nil})
}

// Kind names the message, by its JSON field.
func (m *MaterializeRequest) Kind() string {
	return kindOf(namedField{"spec", m.Spec != nil}, namedField{"validate", m.Validate != nil},
		namedField{"apply", m.Apply != nil}, namedField{"open", m.Open != nil},
		namedField{"load", m.Load != nil}, namedField{"flush", m.Flush != nil},
		namedField{"store", m.Store != nil}, namedField{"startCommit", m.StartCommit != nil},
		namedField{"acknowledge", m.Acknowledge != nil})
}

// Kind names the message, by its JSON field.
func (m *MaterializeResponse) Kind() string {
	return kindOf(namedField{"spec", m.Spec != nil}, namedField{"validated", m.Validated != nil},
		namedField{"applied", m.Applied != nil}, namedField{"opened", m.Opened != nil},
		namedField{"loaded", m.Loaded != nil}, namedField{"flushed", m.Flushed != nil},
		namedField{"startedCommit", m.StartedCommit != nil}, namedField{"acknowledged", m.Acknowledged != nil})
}
