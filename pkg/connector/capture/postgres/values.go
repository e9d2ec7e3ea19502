package postgres

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// Type OIDs of PostgreSQL's built-in types that get a specific JSON form.
const (
	oidBool        = 16
	oidBytea       = 17
	oidName        = 19
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidOID         = 26
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidBpchar      = 1042
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
)

// Both the backfill (text result format) and replication (pgoutput) deliver column values as
// PostgreSQL's text output, so one conversion serves both and their documents agree exactly.

// textToJSON converts a column's text output to its JSON value.
func textToJSON(oid uint32, text []byte) any {
	s := string(text)
	switch oid {
	case oidBool:
		return s == "t"
	case oidInt2, oidInt4, oidInt8, oidOID:
		return json.Number(s)
	case oidFloat4, oidFloat8:
		if json.Valid(text) {
			return json.Number(s)
		}
		return s // NaN, Infinity and -Infinity have no JSON number form.
	case oidJSON, oidJSONB:
		return json.RawMessage(text)
	case oidBytea:
		if raw, err := hex.DecodeString(strings.TrimPrefix(s, `\x`)); err == nil {
			return base64.StdEncoding.EncodeToString(raw)
		}
		return s
	case oidTimestamptz, oidTimestamp:
		// Sessions run in UTC; a timestamp without time zone is taken as UTC too.
		for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC().Format(time.RFC3339Nano)
			}
		}
		return s // infinity, or years beyond 9999
	default:
		return s
	}
}

// columnSchema is the JSON schema of a column's values.
func columnSchema(oid uint32, nullable bool) map[string]any {
	var s map[string]any
	switch oid {
	case oidBool:
		s = map[string]any{"type": "boolean"}
	case oidInt2, oidInt4, oidInt8, oidOID:
		s = map[string]any{"type": "integer"}
	case oidFloat4, oidFloat8:
		s = map[string]any{"type": []string{"number", "string"}, "format": "number"}
	case oidNumeric:
		s = map[string]any{"type": "string", "format": "number"}
	case oidJSON, oidJSONB:
		return map[string]any{} // any JSON value, null included
	case oidBytea:
		s = map[string]any{"type": "string", "contentEncoding": "base64"}
	case oidTimestamptz, oidTimestamp:
		s = map[string]any{"type": "string", "format": "date-time"}
	case oidDate:
		s = map[string]any{"type": "string", "format": "date"}
	case oidUUID:
		s = map[string]any{"type": "string", "format": "uuid"}
	default:
		s = map[string]any{"type": "string"}
	}
	if nullable {
		switch t := s["type"].(type) {
		case string:
			s["type"] = []string{t, "null"}
		case []string:
			s["type"] = append(t, "null")
		}
	}
	return s
}

// isNumericKey reports whether values of the type order numerically rather than by their text.
func isNumericKey(oid uint32) bool {
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidOID, oidNumeric, oidFloat4, oidFloat8:
		return true
	}
	return false
}

// isCollatable reports whether ordering by the column needs COLLATE "C" to match byte order.
func isCollatable(oid uint32) bool {
	switch oid {
	case oidText, oidVarchar, oidBpchar, oidName:
		return true
	}
	return false
}

// compareKeys orders two key tuples (text values) as the backfill's ORDER BY does.
func compareKeys(oids []uint32, a, b []string) int {
	for i := range oids {
		if c := compareKeyValue(oids[i], a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareKeyValue(oid uint32, a, b string) int {
	if isNumericKey(oid) {
		x, okX := new(big.Rat).SetString(a)
		y, okY := new(big.Rat).SetString(b)
		if okX && okY {
			return x.Cmp(y)
		}
	}
	return strings.Compare(a, b)
}
