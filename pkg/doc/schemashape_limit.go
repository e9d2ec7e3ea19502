package doc

import (
	"cmp"
	"slices"
	"strings"
)

// Flow's bounds on a merged schema: past them the deepest locations fold into their parent's
// additionalProperties / additionalItems, so a schema inferred from documents with unbounded key
// spaces (ids as property names) stays small while still admitting every document it did.
const (
	defaultComplexityLimit = 1_000
	maxComplexityLimit     = 100_000
	depthLimit             = 12
	complexityLimitKeyword = "x-complexity-limit"
)

// complexityLimit reads x-complexity-limit (1 to 100,000) of the RHS schema, else the default.
func complexityLimit(sh *schemaShape) int {
	if n, ok := nonNegativeInt(sh.annotations[complexityLimitKeyword]); ok && n >= 1 && n <= maxComplexityLimit {
		return int(n)
	}
	return defaultComplexityLimit
}

// shapeToken is one step to a location: a property, a tuple index, or (additional) the
// additionalProperties / additionalItems shape. Tokens order as Flow's do: indices, then
// properties, then additional.
type shapeToken struct {
	kind  int // tokenIndex, tokenProperty, tokenAdditionalItems, tokenAdditionalProperties
	index int
	name  string
}

const (
	tokenIndex = iota
	tokenProperty
	tokenAdditionalItems
	tokenAdditionalProperties
)

func compareTokens(a, b shapeToken) int {
	return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.index, b.index), strings.Compare(a.name, b.name))
}

// enforceComplexity folds the deepest (and, at equal depth, last) locations into their parents
// until at most limit remain and none is deeper than depthLimit.
func enforceComplexity(sh *schemaShape, limit int) {
	var locs [][]shapeToken
	collectLocations(sh, nil, &locs)
	slices.SortStableFunc(locs, func(a, b []shapeToken) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), slices.CompareFunc(a, b, compareTokens))
	})
	for len(locs) > 0 && (len(locs) > limit || len(locs[len(locs)-1]) > depthLimit) {
		squashLocation(sh, locs[len(locs)-1])
		locs = locs[:len(locs)-1]
	}
}

// collectLocations lists every property and tuple location, including those beneath additional
// shapes, but not the additional shapes themselves: folding a concrete location folds what is
// beneath it.
func collectLocations(sh *schemaShape, at []shapeToken, out *[][]shapeToken) {
	if len(at) > 0 && at[len(at)-1].kind < tokenAdditionalItems {
		*out = append(*out, slices.Clone(at))
	}
	for i, t := range sh.tuple {
		collectLocations(t, append(at, shapeToken{kind: tokenIndex, index: i}), out)
	}
	if sh.additionalItems != nil {
		collectLocations(sh.additionalItems, append(at, shapeToken{kind: tokenAdditionalItems}), out)
	}
	for _, p := range sh.properties {
		collectLocations(p.shape, append(at, shapeToken{kind: tokenProperty, name: p.name}), out)
	}
	if sh.additionalPro != nil {
		collectLocations(sh.additionalPro, append(at, shapeToken{kind: tokenAdditionalProperties}), out)
	}
}

func squashLocation(sh *schemaShape, loc []shapeToken) {
	for _, tok := range loc[:len(loc)-1] {
		switch tok.kind {
		case tokenIndex:
			sh = sh.tuple[tok.index]
		case tokenAdditionalItems:
			sh = sh.additionalItems
		case tokenAdditionalProperties:
			sh = sh.additionalPro
		default:
			i, _ := slices.BinarySearchFunc(sh.properties, tok.name, func(p shapeProperty, n string) int {
				return strings.Compare(p.name, n)
			})
			sh = sh.properties[i].shape
		}
	}
	// Locations are folded last first, so the location is its parent's last property or item.
	if loc[len(loc)-1].kind == tokenIndex {
		last := squashed(sh.tuple[len(sh.tuple)-1])
		sh.tuple = sh.tuple[:len(sh.tuple)-1]
		sh.additionalItems = unionInto(sh.additionalItems, last)
		return
	}
	prop := sh.properties[len(sh.properties)-1]
	sh.properties = sh.properties[:len(sh.properties)-1]
	last := squashed(prop.shape)
	for i, p := range sh.patterns {
		if p.re.MatchString(prop.name) {
			sh.patterns[i].shape = unionShapes(p.shape, last)
			return
		}
	}
	sh.additionalPro = unionInto(sh.additionalPro, last)
}

// unionInto unions s into an additional shape; none yet means s alone, as Flow folds it.
func unionInto(additional, s *schemaShape) *schemaShape {
	if additional == nil {
		return s
	}
	return unionShapes(additional, s)
}

// squashed drops what a folded shape says of its own additional locations (which could nest
// without end), keeping only an explicit "nothing more".
func squashed(sh *schemaShape) *schemaShape {
	out := *sh
	out.additionalItems = squashAdditional(sh.additionalItems)
	out.additionalPro = squashAdditional(sh.additionalPro)
	return &out
}

func squashAdditional(sh *schemaShape) *schemaShape {
	if sh != nil && sh.types == typeInvalid {
		return nothingShape()
	}
	return nil
}
