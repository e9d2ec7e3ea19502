package schema

import "github.com/flowctl/flowctl/pkg/node"

// ValidateNode validates a document held in an arena, as Validate does. A number node means what
// the library reads in its canonical JSON form (a Float the shortest decimal of its float64).
func (s *Schema) ValidateNode(a *node.Arena, doc node.Node) error {
	if s.fastValidNode(a, doc) {
		return nil
	}
	return s.libraryValidate(a.ToAny(doc))
}

// ValidateReduceNode validates a document held in an arena and returns the `reduce` annotations
// that applied to it, as ValidateReduce does. When they depend on the schema alone, every valid
// document gets one shared, read-only tree and nothing is allocated.
func (s *Schema) ValidateReduceNode(a *node.Arena, doc node.Node) (*Annotation, error) {
	if err := s.ValidateNode(a, doc); err != nil {
		return nil, err
	}
	p := s.plans()
	if p.isStatic {
		return p.static, nil
	}
	return p.annotate(s.compiled, a, doc)
}
