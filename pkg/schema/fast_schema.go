package schema

import "github.com/santhosh-tekuri/jsonschema/v6"

// plans builds the schema's annotation plan and fast path once, on first use (catalog builds that
// never validate pay nothing).
func (s *Schema) plans() *annotationPlan {
	s.planOnce.Do(func() {
		s.plan.reduces = planAnnotations(s.compiled)
		s.plan.fast, s.plan.fastNodes = compileFast(s.compiled)
	})
	return &s.plan
}

// fastValid reports whether the fast path accepts doc. False means invalid or undecided: either
// way the library then validates the document and reports its violations.
func (s *Schema) fastValid(doc any) bool {
	root := s.plans().fast
	if root == nil {
		return false
	}
	var r fastRun
	return root.valid(doc, &r) && !r.unsure
}

// validates reports whether v satisfies one compiled sub-schema, through its fast node when it has
// one and the fast path decides, and through the library otherwise.
func (p annotationPlan) validates(s *jsonschema.Schema, v any) bool {
	if n := p.fastNodes[s]; n != nil {
		var r fastRun
		if ok := n.valid(v, &r); !r.unsure {
			return ok
		}
	}
	return s.Validate(v) == nil
}
