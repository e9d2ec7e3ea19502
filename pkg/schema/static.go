package schema

import (
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Most collection schemas annotate a document by location alone: no `reduce` hangs below a branch
// that the document selects (anyOf, oneOf, if/then/else, contains, dependentSchemas, dependencies,
// patternProperties, unevaluated*). Then the annotations are a function of the schema, computed
// once here and shared by every valid document, instead of a tree built per document.

// maxStaticNodes bounds the shared tree; past it the per-document pass is used.
const maxStaticNodes = 1000

// staticAnnotations returns the tree of annotations that every valid document gets, and whether
// there is one. A tree is built only when it is unambiguous: each location's strategies agree (two
// different ones that some document might reach would be a per-document error), and a location
// whose children are annotated cannot be both an object and an array (Child's tokens would mix).
func staticAnnotations(root *jsonschema.Schema, reduces map[*jsonschema.Schema]bool) (*Annotation, bool) {
	b := &staticBuilder{reduces: reduces, nodes: map[string]*Annotation{}, ok: true}
	tree := b.at([]*jsonschema.Schema{root})
	if !b.ok {
		return nil, false
	}
	return tree, true
}

type staticBuilder struct {
	reduces map[*jsonschema.Schema]bool
	nodes   map[string]*Annotation // by the set of schemas that apply at a location
	ok      bool
}

// at returns the annotation of a location where the schemas of set apply, nil when none annotates.
func (b *staticBuilder) at(set []*jsonschema.Schema) *Annotation {
	all := inPlaceClosure(set)
	var applied []*jsonschema.Schema // the schemas that may annotate here or below
	for _, s := range all {
		if b.reduces[s] {
			applied = append(applied, s)
		}
	}
	if !b.ok || len(applied) == 0 {
		return nil
	}
	key := setKey(applied)
	if a, seen := b.nodes[key]; seen {
		return a // a recursive schema: the tree refers back to itself
	}
	if len(b.nodes) == maxStaticNodes {
		b.ok = false
		return nil
	}
	a := &Annotation{}
	b.nodes[key] = a
	for _, s := range applied {
		if !b.documentIndependent(s) {
			b.ok = false
			return nil
		}
		if kw := keywordsOf(s); kw != nil && kw.reduce != nil {
			if a.Reduce != nil && !reducesEqual(a.Reduce, kw.reduce) {
				b.ok = false
				return nil
			}
			a.Reduce = kw.reduce
		}
	}
	objects := b.properties(a, applied)
	arrays := b.items(a, applied)
	allowed := allowedTypes(all)
	switch {
	case objects && arrays:
		b.ok = false
	case objects && allowed&typeArray != 0 && (a.Additional != nil || hasIndexToken(a.Children)):
		b.ok = false // an array here would take the properties' annotations
	case arrays && allowed&typeObject != 0:
		b.ok = false // an object here would take the items' annotations
	}
	return a
}

// documentIndependent reports whether no `reduce` below s is reached through a branch that depends
// on the document.
func (b *staticBuilder) documentIndependent(s *jsonschema.Schema) bool {
	dependent := []*jsonschema.Schema{s.If, s.Then, s.Else, s.Contains, s.RecursiveRef, dynamicTarget(s),
		s.UnevaluatedProperties, s.UnevaluatedItems}
	dependent = append(dependent, s.AnyOf...)
	dependent = append(dependent, s.OneOf...)
	for _, sub := range s.DependentSchemas {
		dependent = append(dependent, sub)
	}
	for _, d := range s.Dependencies {
		if sub, ok := d.(*jsonschema.Schema); ok {
			dependent = append(dependent, sub)
		}
	}
	if len(s.PatternProperties) > 0 {
		// A name matching a pattern is not additional, so patterns decide additionalProperties too.
		if additional, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			dependent = append(dependent, additional)
		}
		for _, sub := range s.PatternProperties {
			dependent = append(dependent, sub)
		}
	}
	for _, d := range dependent {
		if d != nil && b.reduces[d] {
			return false
		}
	}
	return true
}

// properties sets the annotations of a's properties and reports whether any is annotated.
func (b *staticBuilder) properties(a *Annotation, applied []*jsonschema.Schema) bool {
	var names []string
	var additional []*jsonschema.Schema
	for _, s := range applied {
		for name := range s.Properties {
			names = append(names, name)
		}
		if sub, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			additional = append(additional, sub)
		}
	}
	a.Additional = b.at(additional)
	slices.Sort(names)
	children := map[string]*Annotation{}
	annotated := a.Additional != nil
	for _, name := range slices.Compact(names) {
		var set []*jsonschema.Schema
		for _, s := range applied {
			if sub, declared := s.Properties[name]; declared {
				set = append(set, sub)
			} else if sub, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
				set = append(set, sub)
			}
		}
		child := b.at(set)
		if child != nil || a.Additional != nil { // a nil entry keeps Additional off a declared name
			children[name] = child
		}
		annotated = annotated || child != nil
	}
	if len(children) > 0 {
		a.Children = children
	}
	return annotated
}

// items sets the annotations of a's items and reports whether any is annotated.
func (b *staticBuilder) items(a *Annotation, applied []*jsonschema.Schema) bool {
	prefixes := make([][]*jsonschema.Schema, len(applied))
	rests := make([]*jsonschema.Schema, len(applied))
	longest := 0
	for i, s := range applied {
		prefixes[i], rests[i] = s.PrefixItems, s.Items2020
		switch items := s.Items.(type) {
		case []*jsonschema.Schema:
			prefixes[i] = items
			rests[i], _ = s.AdditionalItems.(*jsonschema.Schema)
		case *jsonschema.Schema:
			rests[i] = items
		}
		longest = max(longest, len(prefixes[i]))
	}
	var restSet []*jsonschema.Schema
	for _, r := range rests {
		if r != nil {
			restSet = append(restSet, r)
		}
	}
	additional := b.at(restSet)
	annotated := additional != nil
	children := map[string]*Annotation{}
	for i := range longest {
		var set []*jsonschema.Schema
		for j := range applied {
			if i < len(prefixes[j]) {
				set = append(set, prefixes[j][i])
			} else if rests[j] != nil {
				set = append(set, rests[j])
			}
		}
		child := b.at(set)
		if child != nil || additional != nil {
			children[strconv.Itoa(i)] = child
		}
		annotated = annotated || child != nil
	}
	if annotated {
		// Only one of properties and items may annotate (at checks it), so they never share a.
		a.Additional = additional
		a.Children = children
	}
	return annotated
}

// inPlaceClosure adds to set the schemas that apply to the same value through $ref and allOf,
// each once.
func inPlaceClosure(set []*jsonschema.Schema) []*jsonschema.Schema {
	seen := map[*jsonschema.Schema]bool{}
	var out []*jsonschema.Schema
	var add func(s *jsonschema.Schema)
	add = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		add(s.Ref)
		for _, sub := range s.AllOf {
			add(sub)
		}
	}
	for _, s := range set {
		add(s)
	}
	return out
}

// setKey names a set of schemas independently of its order.
func setKey(set []*jsonschema.Schema) string {
	ptrs := make([]uintptr, len(set))
	for i, s := range set {
		ptrs[i] = uintptr(unsafe.Pointer(s))
	}
	slices.Sort(ptrs)
	var sb strings.Builder
	for _, p := range ptrs {
		sb.WriteString(strconv.FormatUint(uint64(p), 36))
		sb.WriteByte(' ')
	}
	return sb.String()
}

// allowedTypes is the set of types that every schema of set allows.
func allowedTypes(set []*jsonschema.Schema) fastTypes {
	allowed := ^fastTypes(0)
	for _, s := range set {
		if s.Types == nil {
			continue
		}
		var t fastTypes
		for _, name := range s.Types.ToStrings() {
			t |= fastTypeNames[name]
		}
		allowed &= t
	}
	return allowed
}

// hasIndexToken reports whether some token could also be an array index.
func hasIndexToken(children map[string]*Annotation) bool {
	for token := range children {
		if _, err := strconv.ParseUint(token, 10, 64); err == nil {
			return true
		}
	}
	return false
}
