package capturetest

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/doc"
)

// ApplyStates folds state updates onto prior state as the runtime does: a merge-patch update is
// applied per RFC 7396, any other update replaces the state.
func ApplyStates(t testing.TB, prior json.RawMessage, updates []*connector.ConnectorState) json.RawMessage {
	t.Helper()
	var state any = map[string]any{}
	if len(prior) != 0 {
		state = decode(t, prior)
	}
	for _, u := range updates {
		if u.MergePatch {
			state = doc.MergePatch(state, decode(t, u.Updated))
		} else {
			state = decode(t, u.Updated)
		}
	}
	out, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decode(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytesReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("state %s is not JSON: %v", raw, err)
	}
	return v
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
