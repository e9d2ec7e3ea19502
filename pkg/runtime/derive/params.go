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
	for _, name := range catalog.SQLParams(stmt) {
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
