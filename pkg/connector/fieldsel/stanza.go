package fieldsel

import (
	"encoding/json"
	"fmt"
)

// AnyDepth is the Recommended depth of `recommended: true`, Flow's default: recommended
// locations at any depth.
const AnyDepth = -1

// Stanza is a binding's `fields` block.
type Stanza struct {
	// Recommended is the depth of locations selected by default: AnyDepth (`true`, the
	// default), 0 none (`false`), n up to pointer depth n.
	Recommended int
	// Require maps fields the user wants to their endpoint-specific config (null when none).
	Require map[string]json.RawMessage
	Exclude []string
	// GroupBy replaces the collection key as the materialized key.
	GroupBy []string
}

// NewStanza builds a Stanza from a `fields` block as a catalog holds it: recommended in Stanza's
// encoding, and require mapping each field to its decoded config (nil for none), which is
// encoded to JSON here.
func NewStanza(recommended int, require map[string]any, exclude, groupBy []string) (Stanza, error) {
	s := Stanza{Recommended: recommended, Exclude: exclude, GroupBy: groupBy}
	for field, cfg := range require {
		raw, err := json.Marshal(cfg)
		if err != nil {
			return s, fmt.Errorf("the config of required field %q is not JSON: %w", field, err)
		}
		if s.Require == nil {
			s.Require = make(map[string]json.RawMessage, len(require))
		}
		s.Require[field] = raw
	}
	return s, nil
}
