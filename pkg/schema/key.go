package schema

import (
	"fmt"
	"regexp"
)

// Problem is something wrong with a schema or with how a catalog uses it.
type Problem struct {
	Code    string // stable identifier, like "schema.reduce-parent"
	Ptr     string // the document location concerned
	Message string
}

func (p Problem) String() string { return p.Message }

// Problem codes.
const (
	CodePtrMissingSlash    = "schema.ptr-missing-slash"
	CodePtrInvalid         = "schema.ptr-invalid"
	CodePtrUnknown         = "schema.ptr-unknown"
	CodePtrCannotExist     = "schema.ptr-cannot-exist"
	CodeKeyWrongType       = "schema.key-wrong-type"
	CodeKeyHasReduction    = "schema.key-has-reduction"
	CodeProjectionRemap    = "schema.projection-remaps-canonical-field"
	CodeReduceParent       = "schema.reduce-parent"
	CodeReduceWrongType    = "schema.reduce-wrong-type"
	CodeSetChildren        = "schema.reduce-set-children"
	CodeInvalidDefault     = "schema.invalid-default"
	CodeRequiredImpossible = "schema.required-impossible"
)

// pointerToken matches the leading valid tokens of a JSON pointer (Flow's JSON_POINTER).
var pointerToken = regexp.MustCompile(`^(/([^/~]|~[01])+)*`)

// CheckLocation applies Flow's rules for a location a catalog names (a projection, a key, a
// shuffle key): the pointer is well formed, the schema knows the location, and it can exist.
// It returns nil if all hold.
func CheckLocation(sh *Shape, ptr string) *Problem {
	if ptr != "" && ptr[0] != '/' {
		return &Problem{CodePtrMissingSlash, ptr, fmt.Sprintf("%s is not a valid JSON pointer (missing leading '/' slash)", ptr)}
	}
	if matched := pointerToken.FindString(ptr); len(matched) != len(ptr) {
		return &Problem{CodePtrInvalid, ptr, fmt.Sprintf("%s is not a valid JSON pointer (%q is invalid)", ptr, ptr[len(matched):])}
	}
	switch _, exists := sh.Locate(ptr); exists {
	case Implicit:
		return &Problem{CodePtrUnknown, ptr, fmt.Sprintf("location %s is unknown in the schema "+
			"(name it under `properties` or tuple `items`)", ptr)}
	case CannotExist:
		return &Problem{CodePtrCannotExist, ptr, fmt.Sprintf("location %s is prohibited from ever existing by the schema", ptr)}
	}
	return nil
}

// CheckKey applies Flow's rules for a collection key location (flow-spec 3.2 rules 1-5): those of
// CheckLocation, then a keyable type (exactly one of boolean, integer, number, fractional or string,
// optionally with null) and no reduction other than lastWriteWins. It returns nil if all hold.
func CheckKey(sh *Shape, ptr string) *Problem {
	if p := CheckLocation(sh, ptr); p != nil {
		return p
	}
	loc, _ := sh.Locate(ptr)
	if !isKeyable(loc.Types) {
		return &Problem{CodeKeyWrongType, ptr, fmt.Sprintf("location %s accepts %q in the schema, but locations used as keys "+
			"may only be null-able integers, strings, or booleans", ptr, loc.Types.String())}
	}
	if loc.MultipleReduce || (loc.Reduce != nil && loc.Reduce.Strategy != LastWriteWins) {
		return &Problem{CodeKeyHasReduction, ptr, fmt.Sprintf("location %s has a reduction strategy, which is disallowed "+
			"because the location is used as a key", ptr)}
	}
	return nil
}

// Keyable reports whether a location of these types can key documents, as a collection key or a
// materialization's groupBy: exactly one scalar type, optionally with null.
func (t Types) Keyable() bool { return isKeyable(t) }

func isKeyable(t Types) bool {
	switch t &^ Null {
	case Boolean, Integer, Number, Fractional, String:
		return true
	}
	return false
}
