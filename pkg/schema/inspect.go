package schema

import (
	"fmt"
	"strconv"
)

// Inspect reports the schema mistakes Flow rejects at build time (crates/doc/src/shape/inspections.rs):
// a location that must exist but can never be valid, a `default` its own schema rejects, `sum`,
// `merge` or `set` on types they cannot reduce, `set` children other than add/intersect/remove,
// and a reduction under a parent location without one (it would never take effect, because the
// parent's default lastWriteWins replaces the whole subtree). Pattern locations are named by their
// regex, additionalProperties by "*", and items after the tuple by "-".
func (sh *Shape) Inspect() []Problem {
	var out []Problem
	sh.inspect("", true, &out)
	return out
}

type childLocation struct {
	ptr       string
	mustExist bool
	shape     *Shape
	setMember bool // a name the `set` strategy allows
}

func (sh *Shape) inspect(ptr string, mustExist bool, out *[]Problem) {
	var children []childLocation
	for i, item := range sh.Tuple {
		children = append(children, childLocation{ptr + "/" + strconv.Itoa(i), sh.Types == Array && i < sh.MinItems, item, false})
	}
	if sh.Items != nil {
		children = append(children, childLocation{ptr + "/-", false, sh.Items, false})
	}
	firstNamed := len(children)
	for _, p := range sh.Properties {
		member := p.Name == "add" || p.Name == "intersect" || p.Name == "remove"
		children = append(children, childLocation{ptr + "/" + escapeToken(p.Name), sh.Types == Object && p.Required, p.Shape, member})
	}
	for i, re := range sh.PatternRegexps {
		name := re.String()
		member := name == "add" || name == "intersect" || name == "remove"
		children = append(children, childLocation{ptr + "/" + escapeToken(name), false, sh.PatternProperties[i], member})
	}
	lastNamed := len(children)
	if sh.AdditionalProperties != nil {
		children = append(children, childLocation{ptr + "/*", false, sh.AdditionalProperties, false})
	}

	if sh.Types == NoTypes && mustExist {
		*out = append(*out, Problem{CodeRequiredImpossible, ptr, fmt.Sprintf("'%s' must exist, but is constrained to always be invalid", ptr)})
	}
	if sh.HasDefault && sh.defaultErr != nil {
		*out = append(*out, Problem{CodeInvalidDefault, ptr, fmt.Sprintf("%s default value is invalid: %v", ptr, sh.defaultErr)})
	}
	if sh.Reduce != nil {
		switch sh.Reduce.Strategy {
		case Sum:
			rest := sh.Types &^ Number
			if rest != NoTypes && !(rest == String && (sh.Format == "integer" || sh.Format == "number")) {
				*out = append(*out, Problem{CodeReduceWrongType, ptr, fmt.Sprintf("%s has 'sum' reduction strategy (restricted to integers, "+
					"numbers and strings with `format: integer` or `format: number`) but has types %q", ptr, rest.String())})
			}
		case Merge:
			if sh.Types&^(Object|Array) != NoTypes {
				*out = append(*out, Problem{CodeReduceWrongType, ptr, fmt.Sprintf("%s has 'merge' reduction strategy, restricted to "+
					"objects & arrays, but has types %q", ptr, sh.Types.String())})
			}
		case Set:
			if sh.Types != Object {
				*out = append(*out, Problem{CodeReduceWrongType, ptr, fmt.Sprintf("%s has 'set' reduction strategy, restricted to "+
					"objects, but has types %q", ptr, sh.Types.String())})
			}
			for _, c := range children[firstNamed:lastNamed] {
				if !c.setMember {
					*out = append(*out, Problem{CodeSetChildren, c.ptr, fmt.Sprintf("%s location's parent has 'set' reduction "+
						"strategy, restricted to 'add'/'remove'/'intersect' properties", c.ptr)})
				}
			}
		}
	}
	parentReduces := sh.Reduce != nil || sh.MultipleReduce
	for _, c := range children {
		if !parentReduces && (c.shape.Reduce != nil || c.shape.MultipleReduce) {
			*out = append(*out, Problem{CodeReduceParent, c.ptr, fmt.Sprintf("'%s' has reduction strategy, but its parent does not", c.ptr)})
		}
		c.shape.inspect(c.ptr, mustExist && c.mustExist, out)
	}
}
