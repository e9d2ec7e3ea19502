package catalog

import (
	"fmt"
	"sort"
)

// buildTests resolves each step's collection and documents. Tests are ordered by file, then name,
// the order Flow runs them in.
func (b *builder) buildTests() {
	tests := append([]*Test(nil), b.cat.Tests...)
	sort.SliceStable(tests, func(i, j int) bool {
		if tests[i].Scope.URL != tests[j].Scope.URL {
			return tests[i].Scope.URL < tests[j].Scope.URL
		}
		return tests[i].Name < tests[j].Name
	})
	for _, t := range tests {
		bt := &BuiltTest{Name: t.Name, Def: t}
		for i, s := range t.Steps {
			kind := map[bool]string{true: "ingest", false: "verify"}[s.Ingest]
			bs := &BuiltTestStep{Ingest: s.Ingest, Def: s, Partitions: s.Collection.Partitions, Scope: s.Scope}
			bs.Collection = b.collection(s.Collection.Name, s.Collection.Scope, fmt.Sprintf("test %s step %d (%s)", t.Name, i, kind))
			bs.Documents = b.stepDocuments(s)
			if bs.Collection != nil && s.Collection.Partitions != nil {
				b.checkSelector(bs.Collection, s.Collection.Partitions, "test "+t.Name)
			}
			bt.Steps = append(bt.Steps, bs)
		}
		b.built.Tests = append(b.built.Tests, bt)
	}
}

// stepDocuments checks that a step's documents are a list of objects.
func (b *builder) stepDocuments(s *TestStep) []any {
	if s.Documents == nil {
		return nil
	}
	docs, ok := s.Documents.Value.([]any)
	if !ok {
		if s.Documents.Value != nil || s.Documents.URL == "" {
			b.errorf(s.Documents.Scope, "test.documents", "write documents as a list of objects, or name a JSON/YAML file holding one",
				"test documents must be a list of objects, not %s", describeValue(s.Documents.Value))
		}
		return nil
	}
	for i, d := range docs {
		if _, ok := d.(map[string]any); !ok {
			b.errorf(b.at(s.Documents.Scope, itoa(i)), "test.documents", "", "test document %d must be an object, not %s", i, describeValue(d))
		}
	}
	return docs
}
