package materialize

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
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
