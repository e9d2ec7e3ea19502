package derive

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// param is one `$parameter` of a statement, resolved to a projection of the source collection.
type param struct {
	name  string // as written, with its '$'
	field string
	bind  func(src *reading) any
}

// reading is the source document a transform reads: decoded into the engine's arena, with its
// JSON as read (bound as `$flow_document`) and its UUID.
type reading struct {
	arena *node.Arena
	root  node.Node
	raw   []byte
	uuid  journal.UUID
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
				bind, err := binder(p)
				if err != nil {
					return nil, fmt.Errorf("parameter %s: %w", name, err)
				}
				out = append(out, param{name: name, field: field, bind: bind})
				break
			}
		}
	}
	return out, nil
}

// binder returns how a projection's value is bound (flow-spec 5.2 "Bound values").
func binder(p schema.Projection) (func(src *reading) any, error) {
	switch {
	case p.Ptr == schema.PublishedAtPtr || p.Ptr == schema.UUIDPtr && p.Inference.Format == "date-time":
		return func(src *reading) any { return src.uuid.PublishedAt().UTC().Format(publishedAtLayout) }, nil
	case p.Ptr == "":
		// The driver copies bound text before the statement runs, so the document read need
		// not be copied into a string first.
		return func(src *reading) any { return unsafe.String(unsafe.SliceData(src.raw), len(src.raw)) }, nil
	}
	ptr := doc.MustParsePointer(p.Ptr)
	format, encoding := p.Inference.Format, p.Inference.ContentEncoding
	// A missing location binds the schema's default (converted once, here) or NULL.
	var missing any
	if p.Inference.HasDefault {
		var a node.Arena
		n, err := a.FromValue(p.Inference.Default)
		if err != nil {
			return nil, fmt.Errorf("the default of %s cannot be bound: %w", p.Ptr, err)
		}
		missing = sqlValue(&a, n, format, encoding)
	}
	return func(src *reading) any {
		n, ok := ptr.QueryNode(src.arena, src.root)
		if !ok {
			return missing
		}
		return sqlValue(src.arena, n, format, encoding)
	}, nil
}

// publishedAtLayout is RFC 3339 with as many fractional digits as the time needs.
const publishedAtLayout = "2006-01-02T15:04:05.999999999Z07:00"

// sqlValue converts a JSON value to the SQLite value Flow binds for it: integers that fit 64
// signed bits as INTEGER and every other number as REAL, booleans as 0 or 1, strings as TEXT
// (as INTEGER, REAL or BLOB when their format or content encoding says so and they parse), and
// objects and arrays as their compact JSON text. Strings alias the arena: the driver copies
// them when it binds them.
func sqlValue(a *node.Arena, n node.Node, format, encoding string) any {
	switch n.Kind() {
	case node.Null:
		return nil
	case node.Bool:
		if n.Bool() {
			return int64(1)
		}
		return int64(0)
	case node.PosInt:
		if u := n.Uint(); u <= math.MaxInt64 {
			return int64(u)
		}
		return float64(n.Uint())
	case node.NegInt:
		return n.Int()
	case node.Float:
		return n.Float()
	case node.String:
		s := a.Str(n)
		switch {
		case format == "integer":
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		case format == "number":
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f
			}
		case encoding == "base64":
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				return b
			}
		}
		return s
	default:
		b := a.AppendJSON(nil, n) // a buffer of its own: no copy into a string needed
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
}
