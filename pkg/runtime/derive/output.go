package derive

import (
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/flowctl/flowctl/pkg/node"
)

// outputShape says how a statement's rows become documents.
type outputShape struct {
	// whole is set when the one column is named json*: its value is the document.
	whole bool
	// columns are the columns that become properties, in the order of their properties' names;
	// of columns naming one property the last is kept, as a JSON object keeps its last duplicate.
	columns []outputColumn
	// scratch holds the JSON of the row being published.
	scratch []byte
}

type outputColumn struct {
	index    int
	property []byte // the property's name as JSON, with its colon
}

func newOutputShape(columns []string, params []param) *outputShape {
	if len(columns) == 1 && strings.HasPrefix(strings.ToLower(columns[0]), "json") {
		return &outputShape{whole: true}
	}
	last := map[string]int{}
	for i, c := range columns {
		name := c
		for _, p := range params {
			if p.name == c { // a `$param` column is its field
				name = p.field
				break
			}
		}
		last[name] = i
	}
	names := make([]string, 0, len(last))
	for name := range last {
		names = append(names, name)
	}
	slices.Sort(names) // doc.Append's order, so the bytes are those of the document it would write
	out := &outputShape{}
	for _, name := range names {
		out.columns = append(out.columns, outputColumn{index: last[name], property: append(node.AppendString(nil, name), ':')})
	}
	return out
}

// appendDocument appends the JSON of one row's published document (flow-spec 5.2 "Values"), as
// doc.Append writes it: properties sorted by name, numbers as serde_json writes them. Embedded
// JSON is decoded into a, which must outlive only the call.
func (o *outputShape) appendDocument(buf []byte, a *node.Arena, values []any) []byte {
	if o.whole {
		return appendValue(buf, a, values[0], true)
	}
	buf = append(buf, '{')
	for i, c := range o.columns {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, c.property...)
		buf = appendValue(buf, a, values[c.index], false)
	}
	return append(buf, '}')
}

// appendValue appends a SQLite value as JSON: TEXT that looks like and parses as a JSON object or
// array is embedded (any JSON when the column is the whole document), BLOBs are base64 strings,
// and REALs that are not finite are strings, as JSON has no number for them. Text with a number
// beyond f64's range does not parse, as serde_json's parse of it fails in Flow.
func appendValue(buf []byte, a *node.Arena, v any, whole bool) []byte {
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(buf, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return node.AppendString(buf, strconv.FormatFloat(v, 'g', -1, 64))
		}
		return node.AppendFloat(buf, v)
	case string:
		if whole || looksLikeJSON(v) {
			if n, err := a.Decode(unsafe.Slice(unsafe.StringData(v), len(v))); err == nil {
				return a.AppendJSON(buf, n)
			}
		}
		return node.AppendString(buf, v)
	case []byte:
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, v)
		return append(buf, '"')
	case time.Time:
		// The driver parses columns declared DATE/DATETIME/TIMESTAMP; give back RFC 3339 text.
		return node.AppendString(buf, v.UTC().Format(time.RFC3339Nano))
	case bool:
		return strconv.AppendBool(buf, v)
	default:
		return append(buf, "null"...)
	}
}

func looksLikeJSON(s string) bool {
	if len(s) < 2 {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return first == '{' && last == '}' || first == '[' && last == ']'
}
