package catalog

import (
	"fmt"
	"strings"
	"time"
)

func (b *builder) buildDerivations() {
	for _, bc := range b.built.Collections {
		if d := bc.Def.Derive; d != nil {
			bc.Derivation = b.buildDerivation(bc, d)
		}
	}
}

func (b *builder) buildDerivation(bc *BuiltCollection, d *Derivation) *BuiltDerivation {
	bd := &BuiltDerivation{Def: d, ShuffleKeyTypes: d.ShuffleKeyTypes}
	var names []namedEntity
	for i, t := range d.Transforms {
		at := t.Scope
		if t.Name != "" {
			e := namedEntity{"transform", t.Name, at}
			b.checkName(e, tokenRe, "transform names are letters, digits, '-', '_' and '.', without '/' or spaces")
			names = append(names, e)
		}
		bt := &BuiltTransform{
			Name: t.Name, Def: t, Partitions: t.Source.Partitions, Priority: t.Priority,
			Backfill: t.Backfill, Disable: t.Disable, ReadDelay: ParseDuration(t.ReadDelay),
		}
		bt.Source = b.collection(t.Source.Name, t.Source.Scope, fmt.Sprintf("transform %s of derivation %s", t.Name, bc.Name))
		bt.NotBefore, bt.NotAfter = b.timeBounds(t.Source)
		tp := pointerIndex(d.Scope.Pointer+"/transforms", i)
		if t.Shuffle == nil {
			b.errorf(at, "derive.shuffle-missing", "if you're unsure which to use, try `shuffle: any`",
				"transform %s is missing `shuffle`, which is required", t.Name)
		} else if t.Shuffle.Key != nil {
			bt.ShuffleKey = t.Shuffle.Key
			if len(t.Shuffle.Key) == 0 {
				b.errorf(b.cat.Locate(d.Scope.URL, tp+"/shuffle/key"), "derive.shuffle-key-empty", "list key pointers, or use `shuffle: any`",
					"transform %s shuffle key cannot be empty", t.Name)
			}
			for k, ptr := range t.Shuffle.Key {
				b.checkPointer(ptr, b.cat.Locate(d.Scope.URL, fmt.Sprintf("%s/shuffle/key/%d", tp, k)))
			}
		}
		if bt.Source != nil && t.Source.Partitions != nil {
			b.checkSelector(bt.Source, t.Source.Partitions, "transform "+t.Name)
		}
		if t.Lambda != nil {
			bt.Lambda, _ = t.Lambda.Text()
		}
		bd.Transforms = append(bd.Transforms, bt)
	}
	b.checkCollisions(names, false)
	b.checkShuffles(bc, bd)
	if d.Using.SQLite != nil {
		b.checkSQLite(bc, bd)
	}
	return bd
}

// timeBounds parses notBefore and notAfter (checked as RFC 3339 by the decoder) and reports them
// out of order.
func (b *builder) timeBounds(src Source) (notBefore, notAfter time.Time) {
	if src.NotBefore != "" {
		notBefore, _ = time.Parse(time.RFC3339Nano, src.NotBefore)
	}
	if src.NotAfter != "" {
		notAfter, _ = time.Parse(time.RFC3339Nano, src.NotAfter)
	}
	if !notBefore.IsZero() && !notAfter.IsZero() && notBefore.After(notAfter) {
		b.errorf(b.cat.Locate(src.Scope.URL, parentPointer(src.Scope.Pointer)+"/notBefore"), "source.time-bounds",
			"swap them, or widen the window",
			"notBefore %s is after notAfter %s, so no document can be read", src.NotBefore, src.NotAfter)
	}
	return notBefore, notAfter
}

// parentPointer drops the last token of a source name's pointer (…/source/name → …/source).
func parentPointer(ptr string) string {
	if strings.HasSuffix(ptr, "/name") {
		return strings.TrimSuffix(ptr, "/name")
	}
	return ptr
}
