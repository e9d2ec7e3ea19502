package catalog

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/schema"
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
			if bs.Collection != nil && s.Ingest {
				b.checkIngest(bs)
			} else if bs.Collection != nil {
				b.checkVerifyOrder(bs)
			}
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

// checkIngest validates each ingested document against the collection's write schema.
func (b *builder) checkIngest(s *BuiltTestStep) {
	if s.Collection.WriteSchema == nil {
		return
	}
	for i, d := range s.Documents {
		if _, ok := d.(map[string]any); !ok {
			continue // reported as not an object
		}
		err := s.Collection.WriteSchema.Validate(d)
		if err == nil {
			continue
		}
		msg := err.Error()
		var ve *schema.ValidationError
		if errors.As(err, &ve) {
			parts := make([]string, len(ve.Violations))
			for j, v := range ve.Violations {
				parts[j] = v.String()
			}
			msg = strings.Join(parts, "; ")
		}
		b.errorf(b.at(s.Def.Documents.Scope, itoa(i)), "test.ingest-invalid", "fix the document, or the schema of "+s.Collection.Name,
			"test ingest document %d is invalid against the write schema of %s: %s", i, s.Collection.Name, msg)
	}
}

// checkVerifyOrder checks that expected documents are in collection key order, which is the
// order the verified documents are read in.
func (b *builder) checkVerifyOrder(s *BuiltTestStep) {
	key := make([]doc.Extractor, 0, len(s.Collection.Key))
	for _, k := range s.Collection.Key {
		ptr, err := doc.ParsePointer(k)
		if err != nil {
			return // reported with the collection
		}
		key = append(key, doc.Extractor{Ptr: ptr})
	}
	for i := 1; i < len(s.Documents); i++ {
		prev, cur := doc.ExtractKey(s.Documents[i-1], key), doc.ExtractKey(s.Documents[i], key)
		if compareKeys(prev, cur) > 0 {
			b.errorf(b.at(s.Def.Documents.Scope, itoa(i)), "test.verify-order",
				fmt.Sprintf("sort the expected documents by the key %s of %s", quoteList(s.Collection.Key), s.Collection.Name),
				"documents to verify are not in collection key order: document %d sorts before document %d", i, i-1)
			return
		}
	}
}

func compareKeys(a, b []any) int {
	for i := range a {
		if c := doc.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}
