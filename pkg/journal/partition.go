package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PartitionValue is one logical partition field and its value, a JSON scalar as pkg/doc holds it
// (nil, bool, json.Number, string) or a Go integer.
type PartitionValue struct {
	Field string
	Value any
}

// EncodePartitionValue encodes a partition value for a journal name as Flow's labels crate does:
// null, booleans and integers as %_null, %_true, %_false and %_<decimal>; strings percent-encoded
// except ASCII letters, digits and "-_.". Floats, arrays and objects cannot partition a collection.
func EncodePartitionValue(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "%_null", nil
	case bool:
		if v {
			return "%_true", nil
		}
		return "%_false", nil
	case string:
		return percentEncode(v), nil
	case int:
		return "%_" + strconv.FormatInt(int64(v), 10), nil
	case int64:
		return "%_" + strconv.FormatInt(v, 10), nil
	case uint64:
		return "%_" + strconv.FormatUint(v, 10), nil
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return "%_" + strconv.FormatInt(i, 10), nil
		}
		if u, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return "%_" + strconv.FormatUint(u, 10), nil
		}
		return "", fmt.Errorf("partition value %s is not an integer in the 64-bit range: only null, booleans, integers and strings can partition a collection", v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return "%_" + strconv.FormatInt(int64(v), 10), nil
		}
		return "", fmt.Errorf("partition value %v is not an integer: only null, booleans, integers and strings can partition a collection", v)
	}
	return "", fmt.Errorf("partition value of type %T cannot partition a collection: use null, a boolean, an integer or a string", v)
}

// DecodePartitionValue reverses EncodePartitionValue. Integers decode as json.Number.
func DecodePartitionValue(enc string) (any, error) {
	switch enc {
	case "%_null":
		return nil, nil
	case "%_true":
		return true, nil
	case "%_false":
		return false, nil
	}
	if digits, ok := strings.CutPrefix(enc, "%_"); ok {
		// As Rust's from_str_radix: an optional sign, and leading zeros allowed ("%_007" is 7).
		if strings.HasPrefix(digits, "-") {
			if i, err := strconv.ParseInt(digits, 10, 64); err == nil {
				return json.Number(strconv.FormatInt(i, 10)), nil
			}
		} else if u, err := strconv.ParseUint(strings.TrimPrefix(digits, "+"), 10, 64); err == nil {
			return json.Number(strconv.FormatUint(u, 10)), nil
		}
		return nil, fmt.Errorf("partition value %q starts with %%_ but is not null, a boolean or a 64-bit integer", enc)
	}
	s, err := percentDecode(enc)
	if err != nil {
		return nil, fmt.Errorf("partition value %q: %w", enc, err)
	}
	return s, nil
}

func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// percentDecode decodes %XX escapes and, like Rust's percent_decode_str, keeps a '%' that does not
// start a valid escape as it is. The result must be UTF-8.
func percentDecode(s string) (string, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	if !utf8.Valid(out) {
		return "", errors.New("decodes to invalid UTF-8")
	}
	return string(out), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// JournalName is the name of the journal of one logical partition: the collection's partition template
// name, then `<field>=<encoded value>/` for each partition field in sorted order, then `pivot=00`
// (the whole key range, which is all a local runtime splits into).
func JournalName(template string, values []PartitionValue) (string, error) {
	sorted := append([]PartitionValue(nil), values...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Field < sorted[j].Field })
	var b strings.Builder
	b.WriteString(template)
	b.WriteByte('/')
	for i, pv := range sorted {
		if i > 0 && pv.Field == sorted[i-1].Field {
			return "", fmt.Errorf("partition field %q is given twice", pv.Field)
		}
		enc, err := EncodePartitionValue(pv.Value)
		if err != nil {
			return "", fmt.Errorf("partition field %q: %w", pv.Field, err)
		}
		b.WriteString(pv.Field)
		b.WriteByte('=')
		b.WriteString(enc)
		b.WriteByte('/')
	}
	b.WriteString("pivot=00")
	return b.String(), nil
}

// ParsedJournal is a journal name split into its template, partition values and key-range pivot.
type ParsedJournal struct {
	Template   string
	Partitions []PartitionValue
	// Pivot is the hex key-range begin ("00" for the whole range).
	Pivot string
}

// ParseJournalName splits a journal name of the given template into its decoded partition values.
func ParseJournalName(template, name string) (ParsedJournal, error) {
	rest, ok := strings.CutPrefix(name, template+"/")
	if !ok {
		return ParsedJournal{}, fmt.Errorf("journal %q is not under %q", name, template+"/")
	}
	parsed := ParsedJournal{Template: template}
	parts := strings.Split(rest, "/")
	last := parts[len(parts)-1]
	pivot, ok := strings.CutPrefix(last, "pivot=")
	if !ok || !isHex(pivot) {
		return ParsedJournal{}, fmt.Errorf("journal %q does not end in pivot=<hex key>", name)
	}
	parsed.Pivot = pivot
	for _, part := range parts[:len(parts)-1] {
		field, enc, ok := strings.Cut(part, "=")
		if !ok || field == "" {
			return ParsedJournal{}, fmt.Errorf("journal %q: segment %q is not <field>=<value>", name, part)
		}
		value, err := DecodePartitionValue(enc)
		if err != nil {
			return ParsedJournal{}, fmt.Errorf("journal %q: field %q: %w", name, field, err)
		}
		parsed.Partitions = append(parsed.Partitions, PartitionValue{Field: field, Value: value})
	}
	return parsed, nil
}

func isHex(s string) bool {
	if s == "" || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}
