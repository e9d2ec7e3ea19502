package schema

import "github.com/flowctl/flowctl/pkg/node"

// ValidateNode validates a document held in an arena, as Validate does.
//
// STUB (to be replaced by the node fast path): converts to any and validates that.
func (s *Schema) ValidateNode(a *node.Arena, doc node.Node) error {
	return s.Validate(a.ToAny(doc))
}

// ValidateReduceNode validates a document held in an arena and returns the `reduce` annotations
// that applied to it, as ValidateReduce does.
//
// STUB (to be replaced by the node fast path): converts to any and validates that.
func (s *Schema) ValidateReduceNode(a *node.Arena, doc node.Node) (*Annotation, error) {
	return s.ValidateReduce(a.ToAny(doc))
}
