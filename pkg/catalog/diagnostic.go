package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Severity tells errors, which make a catalog invalid, from warnings, which only advise.
type Severity string

// Severities of a Diagnostic.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Diagnostic is one finding about a catalog, located in the file that holds the offending value.
type Diagnostic struct {
	// Code is a stable identifier of the class of problem, like "collection.key-type".
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Hint says what to do about it, when there is something useful to say.
	Hint string `json:"hint,omitempty"`
	// File is the file's path (relative to the working directory when below it) or its URL.
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	// Pointer is the JSON pointer of the offending value inside File.
	Pointer string `json:"pointer"`
}

// String renders the diagnostic as "file:line:col: message (code)" with an indented hint line.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
	}
	b.WriteString(": ")
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	fmt.Fprintf(&b, "%s (%s)", d.Message, d.Code)
	if d.Hint != "" {
		b.WriteString("\n  hint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics are all the findings of a load or build.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error rather than a warning.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity != SeverityWarning {
			return true
		}
	}
	return false
}

// Error lists every diagnostic, one per line, so Diagnostics can be returned as an error.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders diagnostics by file, line, column, then code and message, and drops exact duplicates
// (a value shared through a YAML alias can be reported once per use).
func (ds Diagnostics) Sort() Diagnostics {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// newDiagnostic makes a diagnostic at a position.
func newDiagnostic(p Position, sev Severity, code, hint, msg string) Diagnostic {
	return Diagnostic{
		Code: code, Severity: sev, Message: msg, Hint: hint,
		File: displayName(p.URL), Line: p.Line, Col: p.Col, Pointer: p.Pointer,
	}
}
