package catalog

import (
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// checkShuffles checks each key shuffle against its source's read schema (as a key) and that all
// key-shuffled transforms of a derivation agree on the key's types, with each other and with
// shuffleKeyTypes when declared. The agreed types are recorded on the derivation.
func (b *builder) checkShuffles(bc *BuiltCollection, bd *BuiltDerivation) {
	var first *BuiltTransform
	var firstTypes []string
	hasLambda := false
	for i, t := range bd.Transforms {
		if t.Def.Shuffle != nil && t.Def.Shuffle.Lambda != nil {
			hasLambda = true
		}
		if len(t.ShuffleKey) == 0 || t.Source == nil || t.Source.ReadSchema == nil || t.Disable {
			continue
		}
		shape := t.Source.ReadSchema.Shape()
		types := make([]string, 0, len(t.ShuffleKey))
		ok := true
		for k, ptr := range t.ShuffleKey {
			at := b.cat.Locate(bd.Def.Scope.URL, fmt.Sprintf("%s/transforms/%d/shuffle/key/%d", bd.Def.Scope.Pointer, i, k))
			if p := schema.CheckKey(shape, ptr); p != nil {
				b.errorf(at, p.Code, problemHint(p.Code), "transform %s shuffle key of source %s: %s", t.Name, t.Source.Name, p.Message)
				ok = false
				continue
			}
			loc, _ := shape.Locate(ptr)
			types = append(types, (loc.Types &^ schema.Null).String())
		}
		if !ok {
			continue
		}
		at := t.Def.Scope
		switch {
		case bd.Def.ShuffleKeyTypes != nil && !equalStrings(types, bd.Def.ShuffleKeyTypes):
			b.errorf(at, "derive.shuffle-key-types", "make the shuffle key locations' types match shuffleKeyTypes",
				"transform %s shuffle key types [%s] don't align with the declared shuffleKeyTypes [%s]",
				t.Name, strings.Join(types, ", "), strings.Join(bd.Def.ShuffleKeyTypes, ", "))
		case first == nil:
			first, firstTypes = t, types
		case !equalStrings(types, firstTypes):
			b.errorf(at, "derive.shuffle-key-types", "shuffle every transform on keys of the same types, in the same order",
				"transform %s shuffle key types [%s] don't align with transform %s types [%s]",
				t.Name, strings.Join(types, ", "), first.Name, strings.Join(firstTypes, ", "))
		}
	}
	switch {
	case bd.Def.ShuffleKeyTypes != nil:
		bd.ShuffleKeyTypes = bd.Def.ShuffleKeyTypes
	case first != nil:
		bd.ShuffleKeyTypes = firstTypes
	case hasLambda:
		b.errorf(bd.Def.Scope, "derive.shuffle-key-infer", "add `shuffleKeyTypes: [string]` (or integer, boolean) to this derivation",
			"cannot infer shuffle key types because the transforms use only computed `lambda` or `any` shuffles")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
