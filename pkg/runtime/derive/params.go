package derive

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/schema"
)

// param is one `$parameter` of a statement, resolved to a projection of the source collection.
type param struct {
	name  string // as written, with its '$'
	field string
	bind  func(src *Source) any
}

// resolveParams resolves the parameters of a statement against the source's projections.
func resolveParams(stmt string, projections []schema.Projection) ([]param, error) {
	fields := make([]string, len(projections))
	for i, p := range projections {
		fields[i] = p.Field
	}
	var out []param
	seen := map[string]bool{}
	for _, name := range scanParams(stmt) {
		if seen[name] {
			continue // SQLite binds every use of a name to one index
		}
		seen[name] = true
		field, err := catalog.ParamField(name, fields)
		if err != nil {
			return nil, err
		}
		for _, p := range projections {
			if p.Field == field {
				out = append(out, param{name: name, field: field, bind: binder(p)})
				break
			}
		}
	}
	return out, nil
}

// binder returns how a projection's value is bound (flow-spec 5.2 "Bound values").
func binder(p schema.Projection) func(src *Source) any {
	switch {
	case p.Ptr == schema.PublishedAtPtr || p.Ptr == schema.UUIDPtr && p.Inference.Format == "date-time":
		return func(src *Source) any { return src.UUID.PublishedAt().UTC().Format(publishedAtLayout) }
	case p.Ptr == "":
		return func(src *Source) any { return string(src.documentJSON()) }
	}
	ptr := doc.MustParsePointer(p.Ptr)
	inf := p.Inference
	return func(src *Source) any {
		v, ok := ptr.Query(src.Doc)
		if !ok {
			if !inf.HasDefault {
				return nil
			}
			v = inf.Default
		}
		return sqlValue(v, inf.Format, inf.ContentEncoding)
	}
}

// publishedAtLayout is RFC 3339 with as many fractional digits as the time needs.
const publishedAtLayout = "2006-01-02T15:04:05.999999999Z07:00"

// sqlValue converts a JSON value to the SQLite value Flow binds for it.
func sqlValue(v any, format, encoding string) any {
	switch v := v.(type) {
	case nil:
		return nil
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	case json.Number:
		return sqlNumber(string(v))
	case string:
		switch {
		case format == "integer":
			if i, err := strconv.ParseInt(v, 10, 64); err == nil {
				return i
			}
		case format == "number":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f
			}
		case encoding == "base64":
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				return b
			}
		}
		return v
	default:
		// Objects and arrays are bound as their JSON text.
		return string(doc.Append(nil, v))
	}
}

// sqlNumber binds integers that fit 64 bits as INTEGER and every other number as REAL.
func sqlNumber(n string) any {
	if i, err := strconv.ParseInt(n, 10, 64); err == nil {
		return i
	}
	f, _ := strconv.ParseFloat(n, 64)
	return f
}

// scanParams lists the `$parameters` of a statement in order, skipping string literals, quoted
// names and comments. It mirrors the scanner pkg/catalog uses to check lambdas, which that
// package does not export.
func scanParams(stmt string) []string {
	var out []string
	for i := 0; i < len(stmt); {
		switch c := stmt[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(stmt, i, c)
		case c == '[':
			i = skipQuoted(stmt, i, ']')
		case c == '-' && i+1 < len(stmt) && stmt[i+1] == '-':
			for i < len(stmt) && stmt[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(stmt) && stmt[i+1] == '*':
			end := indexFrom(stmt, i+2, "*/")
			i = end
		case c == '$':
			j := paramEnd(stmt, i)
			out = append(out, stmt[i:j])
			i = j
		case isIdentStart(c):
			// `$` continues an identifier (`a$b` is one name), so it starts no parameter there.
			for i < len(stmt) && (stmt[i] == '$' || identEnd(stmt, i) > i) {
				i++
			}
		default:
			i++
		}
	}
	return out
}

// paramEnd finds the end of the parameter starting at stmt[i] == '$': identifier characters,
// `::` segments, one `(...)` suffix, and further `$`-separated segments of nested fields.
func paramEnd(stmt string, i int) int {
	j := identEnd(stmt, i+1)
	for j+1 < len(stmt) && stmt[j] == ':' && stmt[j+1] == ':' {
		j = identEnd(stmt, j+2)
	}
	if j < len(stmt) && stmt[j] == '(' {
		for k := j; k < len(stmt); k++ {
			if stmt[k] == ')' {
				return k + 1
			}
		}
	}
	for j < len(stmt) && stmt[j] == '$' {
		j = identEnd(stmt, j+1)
	}
	return j
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func identEnd(s string, i int) int {
	for i < len(s) && (s[i] == '_' || s[i] >= 0x80 || s[i] >= '0' && s[i] <= '9' ||
		s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	return i
}

// skipQuoted returns the index after the quoted text opened at s[i], where a doubled closing
// quote is an escaped one.
func skipQuoted(s string, i int, closing byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == closing {
			if j+1 < len(s) && s[j+1] == closing && closing != ']' {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func indexFrom(s string, i int, sub string) int {
	for j := i; j+len(sub) <= len(s); j++ {
		if s[j:j+len(sub)] == sub {
			return j + len(sub)
		}
	}
	return len(s)
}
