package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

func (b *builder) buildCaptures() {
	caps := append([]*Capture(nil), b.cat.Captures...)
	sort.SliceStable(caps, func(i, j int) bool { return caps[i].Name < caps[j].Name })
	for _, c := range caps {
		bc := &BuiltCapture{Name: c.Name, Def: c, Interval: ParseDuration(c.Interval)}
		if c.Interval == "" {
			bc.Interval = ParseDuration("5m") // Flow's default restart interval
		}
		var resources []*FileOrInline
		for _, bind := range c.Bindings {
			bb := &BuiltCaptureBinding{Def: bind, Target: b.collection(bind.Target, bind.Scope, "capture "+c.Name)}
			if bind.Resource != nil {
				bb.Resource = bind.Resource.Value
			}
			if !bind.Disable {
				resources = append(resources, bind.Resource)
			}
			bc.Bindings = append(bc.Bindings, bb)
		}
		b.checkDuplicateResources("capture", resources)
		b.built.Captures = append(b.built.Captures, bc)
	}
}

func (b *builder) buildMaterializations() {
	mats := append([]*Materialization(nil), b.cat.Materializations...)
	sort.SliceStable(mats, func(i, j int) bool { return mats[i].Name < mats[j].Name })
	captures := map[string]bool{}
	for _, c := range b.cat.Captures {
		captures[c.Name] = true
	}
	for _, m := range mats {
		bm := &BuiltMaterialization{Name: m.Name, Def: m}
		if m.SourceCapture != "" && !captures[m.SourceCapture] {
			b.errorf(b.at(m.Scope, "sourceCapture"), "reference.capture", "",
				"capture %s, referenced by materialization %s, is not defined", m.SourceCapture, m.Name)
		}
		var resources []*FileOrInline
		for _, bind := range m.Bindings {
			bb := &BuiltMaterializationBinding{Def: bind, Partitions: bind.Source.Partitions}
			bb.Source = b.collection(bind.Source.Name, bind.Source.Scope, "materialization "+m.Name)
			if bind.Resource != nil {
				bb.Resource = bind.Resource.Value
			}
			if bb.Source != nil && bind.Source.Partitions != nil {
				b.checkSelector(bb.Source, bind.Source.Partitions, "materialization "+m.Name)
			}
			if bb.Source != nil && bind.Fields != nil {
				b.checkGroupBy(bb.Source, bind, "materialization "+m.Name)
			}
			b.timeBounds(bind.Source)
			if !bind.Disable {
				resources = append(resources, bind.Resource)
			}
			bm.Bindings = append(bm.Bindings, bb)
		}
		b.checkDuplicateResources("materialization", resources)
		b.built.Materializations = append(b.built.Materializations, bm)
	}
}

// checkDuplicateResources reports enabled bindings of one task with identical resource configs.
// Flow compares the resource paths its connectors return; without a connector, equal configs are
// the cases that are certainly the same endpoint resource.
func (b *builder) checkDuplicateResources(entity string, resources []*FileOrInline) {
	seen := map[string]int{}
	for i, r := range resources {
		if r == nil || r.Value == nil {
			continue
		}
		key, err := json.Marshal(r.Value)
		if err != nil {
			continue
		}
		if first, dup := seen[string(key)]; dup {
			b.errorf(r.Scope, "binding.duplicate-resource", "each binding must name a different endpoint resource",
				"this %s binding has the same resource %s as the binding at %s", entity, key, resources[first].Scope)
			continue
		}
		seen[string(key)] = i
	}
}

// buildStorageMappings checks prefixes and, when mappings are given, that each collection falls
// under one. With no mappings at all, the local runtime uses its own data directory.
func (b *builder) buildStorageMappings() {
	var names []namedEntity
	for _, sm := range b.cat.StorageMappings {
		names = append(names, namedEntity{"storage mapping", sm.Prefix, sm.Scope})
		if bad := unmatched(prefixRe, sm.Prefix); bad != "" {
			b.errorf(sm.Scope, "storage.prefix", "prefixes are names ending in '/', like acmeCo/ (or \"\" for everything)",
				"%q cannot be used as a storage mapping prefix (%q is invalid)", sm.Prefix, bad)
		}
		if len(sm.Stores) == 0 {
			b.errorf(sm.Scope, "storage.no-stores", "add at least one store", "storage mapping %q has no stores", sm.Prefix)
		}
		bsm := BuiltStorageMapping{Prefix: sm.Prefix}
		for _, st := range sm.Stores {
			bsm.Stores = append(bsm.Stores, st.URL)
		}
		b.built.StorageMappings = append(b.built.StorageMappings, bsm)
	}
	b.checkCollisions(names, false)
	sort.SliceStable(b.built.StorageMappings, func(i, j int) bool {
		return b.built.StorageMappings[i].Prefix < b.built.StorageMappings[j].Prefix
	})
	if len(b.cat.StorageMappings) == 0 {
		return
	}
	for _, c := range b.cat.Collections {
		if b.built.StorageMapping(c.Name) == nil {
			b.errorf(c.Scope, "storage.unmapped", "add a storage mapping whose prefix begins this name",
				"collection %s is not under any storage mapping prefix", c.Name)
		}
	}
}

// StorageMapping returns the mapping with the longest prefix of name, or nil.
func (b *Built) StorageMapping(name string) *BuiltStorageMapping {
	var best *BuiltStorageMapping
	for i := range b.StorageMappings {
		sm := &b.StorageMappings[i]
		if strings.HasPrefix(name, sm.Prefix) && (best == nil || len(sm.Prefix) > len(best.Prefix)) {
			best = sm
		}
	}
	return best
}

// checkSelector checks a partition selector against a collection's logical partitions: each
// field must be a partition, values must fit its types, and "" is never a value.
func (b *builder) checkSelector(c *BuiltCollection, sel *Selector, referrer string) {
	for _, part := range []struct {
		name   string
		values map[string][]any
	}{{"include", sel.Include}, {"exclude", sel.Exclude}} {
		for _, field := range slices.Sorted(maps.Keys(part.values)) {
			at := b.at(sel.Scope, part.name, field)
			if !contains(c.PartitionFields, field) {
				hint := "the partitions of " + c.Name + " are " + quoteList(c.PartitionFields)
				if len(c.PartitionFields) == 0 {
					hint = c.Name + " has no logical partitions (projections with partition: true)"
				}
				b.errorf(at, "selector.not-partition", hint, "%s: %s selector field %s is not a logical partition of collection %s",
					referrer, part.name, field, c.Name)
				continue
			}
			for i, v := range part.values[field] {
				switch v := v.(type) {
				case string:
					if v == "" {
						b.errorf(b.at(sel.Scope, part.name, field, itoa(i)), "selector.empty-string", "",
							"%s selector field %s cannot be an empty string", part.name, field)
					}
				case map[string]any, []any:
					b.errorf(b.at(sel.Scope, part.name, field, itoa(i)), "selector.value-type", "partition values are strings, integers, booleans or null",
						"%s selector field %s value %s cannot match a partition", part.name, field, fmt.Sprint(describeValue(v)))
				}
			}
		}
	}
}
