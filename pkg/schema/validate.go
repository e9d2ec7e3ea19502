package schema

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Validate checks a document (a value as encoding/json decodes it with UseNumber) against the
// schema. It returns nil or a *ValidationError.
func (s *Schema) Validate(doc any) error {
	if s.fastValid(doc) {
		return nil
	}
	return s.libraryValidate(doc)
}

// libraryValidate validates with santhosh-tekuri's validator, which reports every violation.
func (s *Schema) libraryValidate(doc any) error {
	err := s.compiled.Validate(doc)
	if err == nil {
		return nil
	}
	return newValidationError(err)
}

// ValidationError lists every rule a document broke.
type ValidationError struct {
	Violations []Violation
}

// Violation is one broken rule.
type Violation struct {
	Instance string // JSON pointer of the offending location in the document ("" is the root)
	Schema   string // absolute URL and JSON pointer of the failing keyword in the schema
	Keyword  string // the failing keyword, like "required" or "format" ("false" for a false schema)
	Message  string // what is wrong, in words
}

func (v Violation) String() string {
	at := v.Instance
	if at == "" {
		at = "(root)"
	}
	return fmt.Sprintf("at %s: %s (schema %s)", at, v.Message, v.Schema)
}

// maxReported bounds how many violations Error spells out; all remain in Violations.
const maxReported = 3

// Error summarises the first few violations, one per line after the first.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("document is invalid: ")
	for i, v := range e.Violations {
		if i == maxReported {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Violations)-maxReported)
			break
		}
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

var englishPrinter = message.NewPrinter(language.English)

func newValidationError(err error) error {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return err // not a validation failure (e.g. an unsupported value type)
	}
	out := &ValidationError{}
	collectViolations(verr, &out.Violations)
	// The library meets violations in Go map order: sort them so that a document always gets the
	// same error, listed by location.
	slices.SortFunc(out.Violations, func(x, y Violation) int {
		return cmp.Or(strings.Compare(x.Instance, y.Instance), strings.Compare(x.Schema, y.Schema),
			strings.Compare(x.Message, y.Message))
	})
	return out
}

// collectViolations flattens the validator's error tree into its leaves: the keywords that failed
// themselves rather than because a sub-schema did.
func collectViolations(e *jsonschema.ValidationError, out *[]Violation) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			collectViolations(c, out)
		}
		return
	}
	path := e.ErrorKind.KeywordPath()
	keyword := "false"
	if len(path) > 0 {
		keyword = path[0]
	}
	*out = append(*out, Violation{
		Instance: joinPointer(e.InstanceLocation),
		Schema:   keywordURL(e.SchemaURL, path),
		Keyword:  keyword,
		Message:  e.ErrorKind.LocalizedString(englishPrinter),
	})
	if _, isFalse := e.ErrorKind.(*kind.FalseSchema); isFalse {
		(*out)[len(*out)-1].Message = "no value is allowed here (the schema is false)"
	}
}

// keywordURL appends a keyword path to a schema location, which may or may not carry a fragment.
func keywordURL(schemaURL string, path []string) string {
	if len(path) == 0 {
		return schemaURL
	}
	if !strings.Contains(schemaURL, "#") {
		schemaURL += "#"
	}
	return schemaURL + joinPointer(path)
}
