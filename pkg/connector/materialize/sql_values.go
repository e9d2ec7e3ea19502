package materialize

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"

	"github.com/flowctl/flowctl/pkg/doc"
)

// sqlValue converts a decoded key or value for a statement parameter. Objects and arrays (and
// packed JSON) become JSON text; integers that database/sql cannot carry become decimal text.
func sqlValue(v any) any {
	switch v := v.(type) {
	case nil, bool, int64, float64, string:
		return v
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		if _, err := strconv.ParseFloat(string(v), 64); err == nil && !isIntegerLiteral(string(v)) {
			f, _ := v.Float64()
			return f
		}
		return string(v)
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
		return strconv.FormatUint(v, 10)
	case json.RawMessage:
		return string(v)
	default:
		b, _ := json.Marshal(v) // values decoded from JSON always re-encode
		return string(b)
	}
}

func isIntegerLiteral(s string) bool {
	_, ok := new(big.Int).SetString(s, 10)
	return ok
}

// jsonValue converts a value for a JSON column: its JSON text, so that a string becomes a JSON
// string rather than text the column would parse as JSON. SQL NULL stands for a missing or
// null value, as Flow's connectors write it.
func jsonValue(v any) any {
	if v == nil {
		return nil
	}
	return string(appendJSON(nil, v))
}

// appendJSON appends v as JSON: values decoded from JSON, and those unpacked from tuples.
func appendJSON(buf []byte, v any) []byte {
	switch v := v.(type) {
	case json.RawMessage:
		return append(buf, v...)
	case int64:
		return strconv.AppendInt(buf, v, 10)
	case uint64:
		return strconv.AppendUint(buf, v, 10)
	case float32:
		return appendJSON(buf, float64(v))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return append(buf, "null"...) // JSON has no such numbers; serde_json writes null too
		}
		return strconv.AppendFloat(buf, v, 'g', -1, 64)
	case []any:
		buf = append(buf, '[')
		for i, item := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, item)
		}
		return append(buf, ']')
	case nil, bool, json.Number, string, map[string]any: // maps come from JSON alone
		return doc.Append(buf, v)
	default: // other tuple types, such as big integers
		b, err := json.Marshal(v)
		if err != nil {
			return append(buf, "null"...)
		}
		return append(buf, b...)
	}
}

// valueConverter returns the parameter conversion of a column of type sqlType.
func valueConverter(sqlType string) func(any) any {
	if sqlType == "JSON" {
		return jsonValue
	}
	return sqlValue
}
