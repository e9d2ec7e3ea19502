package capture

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// DecodeConfig strictly decodes a config or resource config into out: an unknown field is an error
// naming it, so a misspelt option is not silently ignored. what names the config in errors.
func DecodeConfig(raw json.RawMessage, what string, out any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("invalid %s: %w", what, err)
	}
	return nil
}

// MustJSON encodes a value built by the connector itself, whose encoding cannot fail.
func MustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding a connector-built value: %v", err))
	}
	return b
}
