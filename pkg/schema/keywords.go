package schema

import (
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// flowVocabularyURL names the vocabulary through which Flow's own keywords reach the compiled schema.
const flowVocabularyURL = "https://flowctl.dev/vocab/flow"

// flowKeywords carries the Flow keywords and the annotations the validator does not keep
// (it compiles contentEncoding only when asserting content, which Flow does not do).
// It is attached only to schema objects that have some of them.
type flowKeywords struct {
	reduce          *Reduce
	contentEncoding string
	secret          bool
}

// Validate does nothing: Flow's keywords are annotations. Reductions are collected by a separate
// pass that honours JSON Schema annotation semantics (see annotate.go).
func (*flowKeywords) Validate(*jsonschema.ValidatorContext, any) {}

func flowVocabulary() *jsonschema.Vocabulary {
	return &jsonschema.Vocabulary{
		URL: flowVocabularyURL,
		Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
			var kw flowKeywords
			if v, ok := obj["reduce"]; ok {
				r, err := ParseReduce(v)
				if err != nil {
					return nil, fmt.Errorf("invalid `reduce` annotation: %w", err)
				}
				kw.reduce = r
			}
			kw.contentEncoding, _ = obj["contentEncoding"].(string)
			for _, name := range []string{"secret", "airbyte_secret"} {
				if b, _ := obj[name].(bool); b {
					kw.secret = true
				}
			}
			if kw == (flowKeywords{}) {
				return nil, nil
			}
			return &kw, nil
		},
	}
}

// keywordsOf returns the Flow keywords of a compiled schema object, or nil.
func keywordsOf(s *jsonschema.Schema) *flowKeywords {
	for _, ext := range s.Extensions {
		if kw, ok := ext.(*flowKeywords); ok {
			return kw
		}
	}
	return nil
}
