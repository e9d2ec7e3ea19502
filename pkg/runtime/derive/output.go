package derive

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/doc"
)

// outputShape says how a statement's rows become documents.
type outputShape struct {
	// whole is set when the one column is named json*: its value is the document.
	whole bool
	// properties name each column's top-level property (a `$param` column is its field).
	properties []string
}

func newOutputShape(columns []string, params []param) outputShape {
	if len(columns) == 1 && strings.HasPrefix(strings.ToLower(columns[0]), "json") {
		return outputShape{whole: true}
	}
	props := make([]string, len(columns))
	for i, c := range columns {
		props[i] = c
		for _, p := range params {
			if p.name == c {
				props[i] = p.field
				break
			}
		}
	}
	return outputShape{properties: props}
}

// document builds the published document of one row.
func (o outputShape) document(values []any) any {
	if o.whole {
		return jsonValue(values[0], true)
	}
	out := make(map[string]any, len(values))
	for i, v := range values {
		out[o.properties[i]] = jsonValue(v, false)
	}
	return out
}

// jsonValue converts a SQLite value to JSON (flow-spec 5.2 "Values"): TEXT that looks like and
// parses as a JSON object or array is embedded (any JSON when the column is the whole document).
func jsonValue(v any, whole bool) any {
	switch v := v.(type) {
	case nil:
		return nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return json.Number(formatFloat(v))
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case string:
		if whole || looksLikeJSON(v) {
			if parsed, err := doc.Decode([]byte(v)); err == nil {
				return parsed
			}
		}
		return v
	case time.Time:
		// The driver parses columns declared DATE/DATETIME/TIMESTAMP; give back RFC 3339 text.
		return v.UTC().Format(time.RFC3339Nano)
	case bool:
		return v
	default:
		return nil
	}
}

func looksLikeJSON(s string) bool {
	if len(s) < 2 {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return first == '{' && last == '}' || first == '[' && last == ']'
}

// formatFloat writes a REAL as Flow does (serde_json): integral values keep a ".0" so that they
// stay floats, and very large or small magnitudes use an exponent.
func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
