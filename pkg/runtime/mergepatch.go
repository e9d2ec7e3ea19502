package runtime

import (
	"encoding/json"
	"fmt"

	"github.com/flowctl/flowctl/pkg/doc"
)

// applyStateUpdate folds a connector state update into prior state: an RFC 7396 merge patch, or a
// replacement.
func applyStateUpdate(prior, update json.RawMessage, mergePatch bool) (json.RawMessage, error) {
	if !mergePatch {
		return update, nil
	}
	var base any
	if len(prior) > 0 {
		var err error
		if base, err = doc.Decode(prior); err != nil {
			return nil, fmt.Errorf("prior connector state is not JSON: %w", err)
		}
	}
	patch, err := doc.Decode(update)
	if err != nil {
		return nil, fmt.Errorf("connector state update is not JSON: %w", err)
	}
	return doc.Append(nil, doc.MergePatch(base, patch)), nil
}
