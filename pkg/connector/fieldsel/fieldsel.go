// Package fieldsel chooses the fields a materialization binding writes, from the collection's
// projections, the connector's constraints and the user's `fields` stanza, as Flow's build does.
package fieldsel

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// Select returns the binding's field selection, or every reason it cannot be satisfied.
func Select(coll *connector.CollectionSpec, constraints map[string]connector.Constraint, stanza Stanza) (connector.FieldSelection, []error) {
	s := selector{coll: coll, constraints: constraints, stanza: stanza, selected: map[string]bool{}, locations: map[string]bool{}}
	s.selectKeys()
	s.selectDocument()
	s.selectValues()
	s.checkRequiredLocations()
	sort.Strings(s.out.Values)
	for field, cfg := range stanza.Require {
		if s.selected[field] && len(cfg) > 0 && string(cfg) != "null" {
			if s.out.FieldConfig == nil {
				s.out.FieldConfig = map[string]json.RawMessage{}
			}
			s.out.FieldConfig[field] = cfg
		}
	}
	return s.out, s.errs
}

type selector struct {
	coll        *connector.CollectionSpec
	constraints map[string]connector.Constraint
	stanza      Stanza
	out         connector.FieldSelection
	selected    map[string]bool // by field
	locations   map[string]bool // selected pointers, other than the root
	errs        []error
}

func (s *selector) fail(format string, args ...any) {
	s.errs = append(s.errs, fmt.Errorf(format, args...))
}

func (s *selector) add(p *connector.Projection, toKeys bool) {
	if toKeys && s.excluded(p.Field) {
		s.fail("conflict for field %q: it is part of the materialized key of collection %s but the binding excludes it; remove it from `exclude` or choose another `groupBy`",
			p.Field, s.coll.Name)
	}
	s.selected[p.Field] = true
	if p.Ptr != "" {
		s.locations[p.Ptr] = true
	}
	if toKeys {
		s.out.Keys = append(s.out.Keys, p.Field)
	} else {
		s.out.Values = append(s.out.Values, p.Field)
	}
}

// selectKeys takes the group-by fields, or else the canonical field of each collection key location.
func (s *selector) selectKeys() {
	if len(s.stanza.GroupBy) > 0 {
		for _, field := range s.stanza.GroupBy {
			p := s.coll.Projection(field)
			if p == nil {
				s.fail("groupBy field %q is not a projection of collection %s", field, s.coll.Name)
				continue
			}
			if !keyable(p.Inference.Types) {
				s.fail("groupBy field %q accepts %s, but groupBy locations may only be null-able integers, strings, or booleans",
					field, strings.Join(p.Inference.Types, ", "))
				continue
			}
			s.add(p, true)
		}
		return
	}
	for _, ptr := range s.coll.Key {
		p := s.coll.Projection(strings.TrimPrefix(ptr, "/"))
		if p == nil || p.Ptr != ptr {
			p = s.byPointer(ptr)
		}
		if p == nil {
			s.fail("collection %s has no projection of its key location %s", s.coll.Name, ptr)
			continue
		}
		s.add(p, true)
	}
}

// selectDocument takes the root projection when the connector or the user requires it; as in
// Flow, a merely recommended document (delta updates) is not selected by depth, because the root
// always has projected children.
func (s *selector) selectDocument() {
	root := s.byPointer("")
	if root == nil {
		return
	}
	c, ok := s.constraints[root.Field]
	_, userRequires := s.stanza.Require[root.Field]
	connectorRequires := ok && (c.Type == connector.LocationRequired || c.Type == connector.FieldRequired)
	switch {
	case !ok || c.Type == connector.FieldForbidden || c.Type == connector.Incompatible:
		return
	case s.excluded(root.Field):
		if connectorRequires {
			s.fail("field %q is excluded, but the connector requires the document: %s", root.Field, c.Reason)
		}
		return
	case !connectorRequires && !userRequires:
		return
	}
	s.selected[root.Field] = true
	s.out.Document = root.Field
}

// selectValues walks the remaining projections in location order, so that a parent location is
// decided before the locations it covers.
func (s *selector) selectValues() {
	projections := append([]connector.Projection(nil), s.coll.Projections...)
	sort.SliceStable(projections, func(i, j int) bool {
		if projections[i].Ptr != projections[j].Ptr {
			return projections[i].Ptr < projections[j].Ptr
		}
		return projections[i].Explicit && !projections[j].Explicit
	})
	for field := range s.stanza.Require {
		if s.coll.Projection(field) == nil {
			s.fail("required field %q is not a projection of collection %s", field, s.coll.Name)
		}
	}
	for _, field := range s.stanza.Exclude {
		if s.coll.Projection(field) == nil {
			s.fail("excluded field %q is not a projection of collection %s", field, s.coll.Name)
		}
	}
	for i := range projections {
		p := &projections[i]
		if s.selected[p.Field] || p.Ptr == "" {
			continue
		}
		c, known := s.constraints[p.Field]
		_, userRequires := s.stanza.Require[p.Field]
		forbidden := !known || c.Type == connector.FieldForbidden || c.Type == connector.Incompatible
		connectorRequires := known && (c.Type == connector.FieldRequired || c.Type == connector.LocationRequired)

		switch {
		case s.excluded(p.Field):
			if userRequires {
				s.fail("field %q is both required and excluded", p.Field)
			} else if known && c.Type == connector.FieldRequired {
				s.fail("field %q is excluded, but the connector requires it: %s", p.Field, c.Reason)
			}
		case forbidden:
			if userRequires {
				s.fail("field %q is required, but the connector cannot materialize it: %s", p.Field, reasonOf(c, known))
			}
		case userRequires || connectorRequires:
			s.add(p, false)
		case p.IsPartitionKey || (p.Explicit && s.stanza.Recommended != 0):
			// Flow ranks partition keys and user-defined projections above a covering parent.
			s.add(p, false)
		case s.desired(p, i, projections):
			if !s.locations[p.Ptr] && !s.covered(p.Ptr) && !s.underExcluded(p.Ptr) {
				s.add(p, false)
			}
		}
	}
}

// desired is Flow's DesiredDepth and CoreMetadata: locations up to the recommended depth,
// except `_meta` ones; above the depth limit objects only when nothing is projected beneath them
// and the depth is a number (Flow keeps `true` from selecting such objects). projections are in
// pointer order and p is projections[i], so a child, if any, follows it directly.
func (s *selector) desired(p *connector.Projection, i int, projections []connector.Projection) bool {
	limit := s.stanza.Recommended
	switch {
	case limit == 0:
		return false
	case p.Ptr == "/_meta/op" || p.Field == "flow_published_at":
		return true
	case p.Ptr == "/_meta" || strings.HasPrefix(p.Ptr, "/_meta/"):
		return false
	}
	depth := strings.Count(p.Ptr, "/")
	switch {
	case limit > 0 && depth == limit:
		return true
	case limit > 0 && depth > limit:
		return false
	case !onlyObject(p.Inference.Types):
		return true
	}
	hasChild := i+1 < len(projections) && isParentOf(p.Ptr, projections[i+1].Ptr)
	return !hasChild && limit != AnyDepth
}

// onlyObject reports whether types are object, or object and null.
func onlyObject(types []string) bool {
	var object bool
	for _, t := range types {
		switch t {
		case "object":
			object = true
		case "null":
		default:
			return false
		}
	}
	return object
}

// underExcluded reports whether ptr lies beneath the location of an excluded canonical field
// (one named as its pointer), which Flow takes as excluding the whole subtree from depth.
func (s *selector) underExcluded(ptr string) bool {
	for _, field := range s.stanza.Exclude {
		if p := s.coll.Projection(field); p != nil && p.Ptr == "/"+field && isParentOf(p.Ptr, ptr) {
			return true
		}
	}
	return false
}

func isParentOf(parent, ptr string) bool {
	return len(ptr) > len(parent) && strings.HasPrefix(ptr, parent) && ptr[len(parent)] == '/'
}

// checkRequiredLocations fails when no selected field satisfies a location the connector requires.
func (s *selector) checkRequiredLocations() {
	for field, c := range s.constraints {
		if c.Type != connector.LocationRequired {
			continue
		}
		p := s.coll.Projection(field)
		if p == nil || s.selected[field] || (p.Ptr != "" && s.locations[p.Ptr]) || (p.Ptr == "" && s.out.Document != "") {
			continue
		}
		s.fail("no selected field satisfies location %q, which the connector requires (%s)", p.Ptr, c.Reason)
	}
	sort.Slice(s.errs, func(i, j int) bool { return s.errs[i].Error() < s.errs[j].Error() })
}

// covered reports whether a selected field's location contains ptr.
func (s *selector) covered(ptr string) bool {
	for parent := ptr; ; {
		i := strings.LastIndexByte(parent, '/')
		if i <= 0 {
			return false
		}
		parent = parent[:i]
		if s.locations[parent] {
			return true
		}
	}
}

func (s *selector) excluded(field string) bool {
	for _, f := range s.stanza.Exclude {
		if f == field {
			return true
		}
	}
	return false
}

func (s *selector) byPointer(ptr string) *connector.Projection {
	var found *connector.Projection
	for i := range s.coll.Projections {
		p := &s.coll.Projections[i]
		if p.Ptr != ptr {
			continue
		}
		// Prefer the canonical field (the pointer without its slash), then the first by name.
		if found == nil || (p.Field == strings.TrimPrefix(ptr, "/") && found.Field != p.Field) {
			found = p
		}
	}
	return found
}

func reasonOf(c connector.Constraint, known bool) string {
	if !known {
		return "the connector gave no constraint for it"
	}
	return c.Reason
}

// keyable is the rule of collection keys, which Flow also applies to groupBy: exactly one scalar type,
// optionally with null.
func keyable(types []string) bool {
	var n int
	for _, t := range types {
		switch t {
		case "null":
		case "boolean", "integer", "number", "fractional", "string":
			n++
		default:
			return false
		}
	}
	return n == 1
}
