package controlplane

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// canonicalSpec decodes a spec, which must be one JSON object (or, for a test, Flow's older form: an
// array of steps), and re-encodes it with sorted keys and exact numbers, so that equal specs are equal
// bytes.
func canonicalSpec(raw json.RawMessage, t api.SpecType) (json.RawMessage, any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("spec is not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("spec has data after its JSON value")
	}
	switch v.(type) {
	case map[string]any:
	case []any:
		if t != api.Test {
			return nil, nil, fmt.Errorf("spec must be a JSON object (or null to delete)")
		}
	default:
		return nil, nil, fmt.Errorf("spec must be a JSON object (or null to delete)")
	}
	out, err := marshalCanonical(v)
	return out, v, err
}

// marshalCanonical encodes a decoded value with sorted keys and without HTML escaping.
func marshalCanonical(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
