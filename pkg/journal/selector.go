package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Selector picks logical partitions of a collection by their field values, as a Flow partition
// selector does: a journal matches when, for every field of Include, its value is one of the listed
// values, and for no field of Exclude is its value one of those listed.
type Selector struct {
	Include map[string][]any `json:"include,omitempty"`
	Exclude map[string][]any `json:"exclude,omitempty"`
}

// ParseSelector reads a selector from JSON, e.g. {"include": {"region": ["EU"]}}.
func ParseSelector(data []byte) (Selector, error) {
	var sel Selector
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sel); err != nil {
		return Selector{}, fmt.Errorf("partition selector %s: %w (expected {\"include\": {\"field\": [values]}, \"exclude\": {...}})", data, err)
	}
	if dec.More() {
		return Selector{}, fmt.Errorf("partition selector %s has content after the JSON object", data)
	}
	// Encoding each value now both rejects values that can't partition and makes matching a string compare.
	for _, set := range []map[string][]any{sel.Include, sel.Exclude} {
		for field, values := range set {
			for _, v := range values {
				if _, err := EncodePartitionValue(v); err != nil {
					return Selector{}, fmt.Errorf("partition selector field %q: %w", field, err)
				}
			}
		}
	}
	return sel, nil
}

// Matches reports whether the logical partition with these values is selected. A field that the
// partition doesn't have matches no listed value.
func (s Selector) Matches(values []PartitionValue) bool {
	encoded := make(map[string]string, len(values))
	for _, pv := range values {
		enc, err := EncodePartitionValue(pv.Value)
		if err != nil {
			return false
		}
		encoded[pv.Field] = enc
	}
	for field, listed := range s.Include {
		if !valueIn(encoded, field, listed) {
			return false
		}
	}
	for field, listed := range s.Exclude {
		if valueIn(encoded, field, listed) {
			return false
		}
	}
	return true
}

// MatchesJournal parses a journal name of the template and reports whether the selector picks it.
func (s Selector) MatchesJournal(template, journal string) (bool, error) {
	parsed, err := ParseJournalName(template, journal)
	if err != nil {
		return false, err
	}
	return s.Matches(parsed.Partitions), nil
}

func valueIn(encoded map[string]string, field string, values []any) bool {
	have, ok := encoded[field]
	if !ok {
		return false
	}
	for _, v := range values {
		if enc, err := EncodePartitionValue(v); err == nil && enc == have {
			return true
		}
	}
	return false
}
