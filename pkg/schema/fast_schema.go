package schema

import (
	"sync"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// plans builds the schema's annotation plan and fast path once, on first use (catalog builds that
// never validate pay nothing).
func (s *Schema) plans() *annotationPlan {
	s.planOnce.Do(func() {
		s.plan.reduces = planAnnotations(s.compiled)
		s.plan.fast, s.plan.fastNodes, s.plan.values = compileFast(s.compiled)
		s.plan.static, s.plan.isStatic = staticAnnotations(s.compiled, s.plan.reduces)
	})
	return &s.plan
}

// fastValidNode reports whether the fast path accepts doc. False means invalid or undecided: either
// way the library then validates the document and reports its violations.
func (s *Schema) fastValidNode(a *node.Arena, doc node.Node) bool {
	p := s.plans()
	if p.fast == nil {
		return false
	}
	r := fastRun{a: a, values: p.values}
	return p.fast.valid(doc, &r) && !r.unsure
}

// scratch holds the arenas that documents of the `any` entry points are copied into, so that one
// implementation over nodes validates both forms.
var scratch = sync.Pool{New: func() any { return &node.Arena{} }}

// withNode copies doc into a scratch arena and calls f with it. ok is false, and f is not called,
// when the arena cannot hold doc exactly (a Go type other than a decoded document's, or a number
// beyond float64 precision): the library must read the original then.
func withNode(doc any, f func(a *node.Arena, n node.Node)) (ok bool) {
	if exactAsNode(doc) != exactly {
		return false
	}
	inScratch(func(a *node.Arena) { f(a, a.FromAny(doc)) })
	return true
}

// inScratch lends f a scratch arena for its duration.
func inScratch(f func(a *node.Arena)) {
	a := scratch.Get().(*node.Arena)
	defer func() {
		a.Reset()
		scratch.Put(a)
	}()
	f(a)
}

// fastValid is fastValidNode for a document of the `any` form.
func (s *Schema) fastValid(doc any) bool {
	if s.plans().fast == nil {
		return false
	}
	valid := false
	withNode(doc, func(a *node.Arena, n node.Node) { valid = s.fastValidNode(a, n) })
	return valid
}

// validates reports whether v satisfies one compiled sub-schema, through its fast node when it has
// one and the fast path decides, and through the library otherwise.
func (p *annotationPlan) validates(s *jsonschema.Schema, a *node.Arena, v node.Node) bool {
	if n := p.fastNodes[s]; n != nil {
		r := fastRun{a: a, values: p.values}
		if ok := n.valid(v, &r); !r.unsure {
			return ok
		}
	}
	return s.Validate(a.ToAny(v)) == nil
}
