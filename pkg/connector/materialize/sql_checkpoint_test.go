package materialize

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

func TestCheckpointEncoding(t *testing.T) {
	cp := &connector.Checkpoint{Sources: map[string]connector.SourceCheckpoint{"a/b/pivot=00": {ReadThrough: 42}}}
	encoded, err := encodeCheckpoint(cp)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeCheckpoint(encoded)
	if err != nil || back.Sources["a/b/pivot=00"].ReadThrough != 42 {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if got, err := decodeCheckpoint(""); got != nil || err != nil {
		t.Errorf("empty column: %+v, %v; want no checkpoint", got, err)
	}
	// What Estuary's connector stores: base64 of protobuf (field 1, a map entry).
	protobuf := base64.StdEncoding.EncodeToString([]byte{0x0a, 0x0c, 0x0a, 0x0a, 'a', '/', 'b', '/', 'p', 'i', 'v', 'o', 't', '='})
	for _, c := range []struct{ stored, want string }{
		{"not base64!", "not base64"},
		{protobuf, "protobuf checkpoint, which flowctl cannot resume from"},
	} {
		if _, err := decodeCheckpoint(c.stored); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.stored, err, c.want)
		}
	}
}
