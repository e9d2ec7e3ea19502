package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ValidateReduce validates a document and returns the `reduce` annotations that applied to it,
// as a tree mirroring the document (nil when none did). Annotations follow JSON Schema semantics:
// only sub-schemas that succeeded contribute, so a failing oneOf/anyOf branch, a failed `if`, the
// unselected then/else, and `not` contribute nothing, while allOf and $ref targets do. Two
// different strategies at one location are an error.
//
// Approximations: $recursiveRef and $dynamicRef contribute their static target, and
// unevaluatedProperties/unevaluatedItems apply to what this schema object's own keywords leave
// unevaluated.
//
// Where annotations depend on the schema location alone, every valid document gets one tree,
// shared and read-only (see static.go); read any tree through Child and Strategy. Otherwise the
// annotations are read from the document as a reduction holds it, and a number beyond float64's
// range, which no reduction holds, is an error.
func (s *Schema) ValidateReduce(doc any) (*Annotation, error) {
	if err := s.Validate(doc); err != nil {
		return nil, err
	}
	p := s.plans()
	if p.isStatic {
		return p.static, nil
	}
	// The pass reads the document as a node: numbers beyond float64 precision by their float64
	// value (as Flow reads them), Go types other than a decoded document's by their JSON. A number
	// beyond float64's range has no such value (Flow refuses it), so it is an error.
	if exactAsNode(doc) == notJSON {
		var err error
		if doc, err = asDecoded(doc); err != nil {
			return nil, err
		}
	}
	var ann *Annotation
	var err error
	inScratch(func(a *node.Arena) {
		n, cerr := a.FromValue(doc)
		if cerr != nil {
			err = fmt.Errorf("document cannot be reduced: %w", cerr)
			return
		}
		ann, err = p.annotate(s.compiled, a, n)
	})
	return ann, err
}

// asDecoded re-reads a value through its JSON encoding, as encoding/json decodes with UseNumber.
func asDecoded(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("document is not JSON: %w", err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, fmt.Errorf("document is not JSON: %w", err)
	}
	return out, nil
}

// annotationPlan is what a schema precomputes for validation and annotation, on first use.
// reduces marks the compiled schemas under which some `reduce` is reachable, so the annotation
// pass skips the rest (most of a typical schema) without looking. The fast path (fast.go) validates
// in place of the library when the schema allows it, and decides the branches the pass takes.
// When annotations depend on the schema location alone (static.go), isStatic is set and static is
// the tree every valid document gets.
type annotationPlan struct {
	reduces   map[*jsonschema.Schema]bool
	fast      *fastNode                        // nil when the library must validate
	fastNodes map[*jsonschema.Schema]*fastNode // the fast node of each compiled schema
	values    *node.Arena                      // the fast nodes' const and enum values
	static    *Annotation
	isStatic  bool
}

func planAnnotations(root *jsonschema.Schema) map[*jsonschema.Schema]bool {
	var all []*jsonschema.Schema
	seen := map[*jsonschema.Schema]bool{root: true}
	for queue := []*jsonschema.Schema{root}; len(queue) > 0; {
		s := queue[0]
		queue = queue[1:]
		all = append(all, s)
		for _, c := range subschemas(s) {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	plan := map[*jsonschema.Schema]bool{}
	for _, s := range all {
		if kw := keywordsOf(s); kw != nil && kw.reduce != nil {
			plan[s] = true
		}
	}
	// Propagate to parents until nothing changes; references may form cycles.
	for changed := true; changed; {
		changed = false
		for _, s := range all {
			if plan[s] {
				continue
			}
			for _, c := range subschemas(s) {
				if plan[c] {
					plan[s], changed = true, true
					break
				}
			}
		}
	}
	return plan
}

// subschemas lists the sub-schemas whose annotations can apply to a value or its children
// (so not `not`, and not `propertyNames`, which annotates names rather than values).
func subschemas(s *jsonschema.Schema) []*jsonschema.Schema {
	out := []*jsonschema.Schema{s.Ref, s.RecursiveRef, dynamicTarget(s), s.If, s.Then, s.Else,
		s.UnevaluatedProperties, s.UnevaluatedItems, s.Items2020, s.Contains}
	out = append(out, s.AllOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.OneOf...)
	out = append(out, s.PrefixItems...)
	for _, c := range s.Properties {
		out = append(out, c)
	}
	for _, c := range s.PatternProperties {
		out = append(out, c)
	}
	for _, c := range s.DependentSchemas {
		out = append(out, c)
	}
	for _, d := range s.Dependencies {
		if c, ok := d.(*jsonschema.Schema); ok {
			out = append(out, c)
		}
	}
	for _, v := range []any{s.AdditionalProperties, s.AdditionalItems, s.Items} {
		switch t := v.(type) {
		case *jsonschema.Schema:
			out = append(out, t)
		case []*jsonschema.Schema:
			out = append(out, t...)
		}
	}
	kept := out[:0]
	for _, c := range out {
		if c != nil {
			kept = append(kept, c)
		}
	}
	return kept
}

// cursor is a document location whose annotation node is created only when something is set.
type cursor struct {
	parent *cursor
	token  string
	node   *Annotation
}

func (c *cursor) get() *Annotation {
	if c.node != nil {
		return c.node
	}
	c.node = &Annotation{}
	if c.parent != nil {
		p := c.parent.get()
		if p.Children == nil {
			p.Children = map[string]*Annotation{}
		}
		if existing, ok := p.Children[c.token]; ok {
			c.node = existing // reached again through another applicator
		} else {
			c.token = strings.Clone(c.token) // a property name may alias the document's arena
			p.Children[c.token] = c.node
		}
	}
	return c.node
}

func (c *cursor) pointer() string {
	var tokens []string
	for at := c; at.parent != nil; at = at.parent {
		tokens = append(tokens, at.token)
	}
	for i, j := 0, len(tokens)-1; i < j; i, j = i+1, j-1 {
		tokens[i], tokens[j] = tokens[j], tokens[i]
	}
	return joinPointer(tokens)
}

func (c *cursor) set(r *Reduce) error {
	node := c.get()
	switch {
	case node.Reduce == nil:
		node.Reduce = r
	case !reducesEqual(node.Reduce, r):
		at := c.pointer()
		if at == "" {
			at = "the document root"
		}
		return fmt.Errorf("conflicting reduce strategies at %s: %s vs %s", at, reduceString(node.Reduce), reduceString(r))
	}
	return nil
}

// reduceString shows a strategy with the options that differ from their defaults.
func reduceString(r *Reduce) string {
	var opts []string
	if len(r.Key) > 0 {
		opts = append(opts, "key: ["+strings.Join(r.Key, ", ")+"]")
	}
	if r.Delete {
		opts = append(opts, "delete: true")
	}
	if !r.Associative {
		opts = append(opts, "associative: false")
	}
	if len(opts) == 0 {
		return string(r.Strategy)
	}
	return string(r.Strategy) + " {" + strings.Join(opts, ", ") + "}"
}

// annotate runs the per-document pass over a valid document.
func (p *annotationPlan) annotate(root *jsonschema.Schema, a *node.Arena, doc node.Node) (*Annotation, error) {
	at := &cursor{}
	if err := p.collect(root, a, doc, at); err != nil {
		return nil, err
	}
	return at.node, nil
}

// collect gathers the annotations of schema s, which v (in arena a) is known to satisfy.
func (p *annotationPlan) collect(s *jsonschema.Schema, a *node.Arena, v node.Node, at *cursor) error {
	if !p.reduces[s] {
		return nil
	}
	if kw := keywordsOf(s); kw != nil && kw.reduce != nil {
		if err := at.set(kw.reduce); err != nil {
			return err
		}
	}
	for _, ref := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, dynamicTarget(s)} {
		if ref != nil {
			if err := p.collect(ref, a, v, at); err != nil {
				return err
			}
		}
	}
	for _, sub := range s.AllOf {
		if err := p.collect(sub, a, v, at); err != nil {
			return err
		}
	}
	for _, branches := range [][]*jsonschema.Schema{s.AnyOf, s.OneOf} {
		for _, b := range branches {
			if p.reduces[b] && p.validates(b, a, v) {
				if err := p.collect(b, a, v, at); err != nil {
					return err
				}
			}
		}
	}
	if s.If != nil && (p.reduces[s.If] || (s.Then != nil && p.reduces[s.Then]) || (s.Else != nil && p.reduces[s.Else])) {
		branch := s.Else
		if p.validates(s.If, a, v) {
			if err := p.collect(s.If, a, v, at); err != nil {
				return err
			}
			branch = s.Then
		}
		if branch != nil {
			if err := p.collect(branch, a, v, at); err != nil {
				return err
			}
		}
	}
	switch v.Kind() {
	case node.Object:
		return p.collectObject(s, a, v, at)
	case node.Array:
		return p.collectArray(s, a, v, at)
	}
	return nil
}

func (p *annotationPlan) collectObject(s *jsonschema.Schema, a *node.Arena, obj node.Node, at *cursor) error {
	for name, dep := range s.DependentSchemas {
		if _, ok := a.Get(obj, name); ok {
			if err := p.collect(dep, a, obj, at); err != nil {
				return err
			}
		}
	}
	for name, dep := range s.Dependencies {
		if sub, isSchema := dep.(*jsonschema.Schema); isSchema {
			if _, ok := a.Get(obj, name); ok {
				if err := p.collect(sub, a, obj, at); err != nil {
					return err
				}
			}
		}
	}
	additional, _ := s.AdditionalProperties.(*jsonschema.Schema)
	for _, f := range a.Fields(obj) {
		name := a.Str(f.Name)
		evaluated := false
		var targets [4]*jsonschema.Schema // small: avoids allocating for the usual one or two
		list := targets[:0]
		if sub, ok := s.Properties[name]; ok {
			list, evaluated = append(list, sub), true
		}
		for re, sub := range s.PatternProperties {
			if re.MatchString(name) {
				list, evaluated = append(list, sub), true
			}
		}
		switch {
		case evaluated:
		case additional != nil:
			list = append(list, additional)
		case s.AdditionalProperties == nil && s.UnevaluatedProperties != nil:
			list = append(list, s.UnevaluatedProperties)
		}
		if err := p.collectChild(list, a, f.Value, at, name); err != nil {
			return err
		}
	}
	return nil
}

func (p *annotationPlan) collectArray(s *jsonschema.Schema, a *node.Arena, arr node.Node, at *cursor) error {
	prefix, rest := s.PrefixItems, s.Items2020
	switch items := s.Items.(type) {
	case []*jsonschema.Schema:
		prefix = items
		rest, _ = s.AdditionalItems.(*jsonschema.Schema)
	case *jsonschema.Schema:
		rest = items
	}
	if rest == nil && s.UnevaluatedItems != nil {
		rest = s.UnevaluatedItems
	}
	containsApplies := s.Contains != nil && p.reduces[s.Contains]
	for i, item := range a.Items(arr) {
		var targets [2]*jsonschema.Schema
		list := targets[:0]
		if i < len(prefix) {
			list = append(list, prefix[i])
		} else if rest != nil {
			list = append(list, rest)
		}
		if containsApplies && p.validates(s.Contains, a, item) {
			list = append(list, s.Contains)
		}
		if err := p.collectChild(list, a, item, at, strconv.Itoa(i)); err != nil {
			return err
		}
	}
	return nil
}

// collectChild applies the schemas that evaluate one property or item, creating its cursor only
// when one of them may annotate.
func (p *annotationPlan) collectChild(list []*jsonschema.Schema, a *node.Arena, v node.Node, parent *cursor, token string) error {
	var child *cursor
	for _, sub := range list {
		if !p.reduces[sub] {
			continue
		}
		if child == nil {
			child = &cursor{parent: parent, token: token}
		}
		if err := p.collect(sub, a, v, child); err != nil {
			return err
		}
	}
	return nil
}
