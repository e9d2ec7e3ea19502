package schema

import "strconv"

// Location is a statically known location of a shape.
type Location struct {
	Ptr    string // JSON pointer from the root
	Shape  *Shape
	Exists Exists // from the root: MustExist only if every step must exist
}

// Locate returns the shape at a JSON pointer and whether the location exists in valid documents.
// A location the schema does not describe has an unconstrained shape and Implicit existence.
func (sh *Shape) Locate(ptr string) (*Shape, Exists) {
	shape, exists := sh, MustExist
	for _, token := range splitPointer(ptr) {
		next, step := shape.locateToken(token)
		shape, exists = next, exists.extend(step)
	}
	if shape.Types == NoTypes {
		exists = CannotExist // allowed to exist, but nothing satisfies it
	}
	return shape, exists
}

func (sh *Shape) locateToken(token string) (*Shape, Exists) {
	index, isIndex := arrayIndex(token)
	switch {
	case isIndex && sh.Types.Overlaps(Array):
		var exists Exists
		switch {
		case sh.Types == Array && index < sh.MinItems:
			exists = MustExist // only an array, and within minItems
		case sh.MaxItems >= 0 && index >= sh.MaxItems:
			exists = CannotExist
		case sh.MaxItems >= 0 || index < len(sh.Tuple) || sh.Items != nil:
			exists = MayExist
		default:
			exists = Implicit
		}
		if item := tupleItem(sh, index); item != nil {
			return item, exists
		}
		return anything(), exists
	case token == "-" && sh.Types.Overlaps(Array):
		return anything(), CannotExist // the position after the last item never holds a value
	case sh.Types.Overlaps(Object):
		return sh.propertyLocation(token)
	}
	return anything(), CannotExist
}

func (sh *Shape) propertyLocation(name string) (*Shape, Exists) {
	if p := sh.property(name); p != nil {
		if sh.Types == Object && p.Required {
			return p.Shape, MustExist // only an object, and required
		}
		return p.Shape, MayExist
	}
	for i, re := range sh.PatternRegexps {
		if re.MatchString(name) {
			return sh.PatternProperties[i], MayExist
		}
	}
	if sh.AdditionalProperties != nil {
		return sh.AdditionalProperties, MayExist
	}
	return anything(), Implicit
}

// arrayIndex parses an array index token: digits without a leading zero.
func arrayIndex(token string) (int, bool) {
	if token == "" || (len(token) > 1 && token[0] == '0') {
		return 0, false
	}
	for _, c := range token {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(token)
	return n, err == nil
}

// Locations lists the statically known locations: the root, then named properties and tuple
// items, recursively and depth-first, properties by name. Locations reached only through
// patternProperties, additionalProperties or open items are not listed.
func (sh *Shape) Locations() []Location {
	var out []Location
	sh.locations("", MustExist, &out)
	return out
}

func (sh *Shape) locations(ptr string, exists Exists, out *[]Location) {
	if sh.Types == NoTypes {
		exists = CannotExist
	}
	*out = append(*out, Location{Ptr: ptr, Shape: sh, Exists: exists})
	for _, p := range sh.Properties {
		step := MayExist
		if sh.Types == Object && p.Required {
			step = MustExist
		}
		p.Shape.locations(ptr+"/"+escapeToken(p.Name), exists.extend(step), out)
	}
	for i, item := range sh.Tuple {
		step := MayExist
		if sh.Types == Array && i < sh.MinItems {
			step = MustExist
		}
		item.locations(ptr+"/"+strconv.Itoa(i), exists.extend(step), out)
	}
}
