package materialize

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeFields checks that a store's key or values, JSON or packed, either decode or fail
// cleanly, and that every decoded value converts to valid JSON text for a JSON column.
func FuzzDecodeFields(f *testing.F) {
	f.Add([]byte(`["a",1,1.5,null,true,{"k":[1]}]`), []byte(nil))
	f.Add([]byte(nil), []byte{0x02, 'a', 0x00, 0x15, 0x07})
	f.Fuzz(func(t *testing.T, raw, packed []byte) {
		values, err := decodeFields(raw, packed)
		if err != nil {
			return
		}
		for _, v := range values {
			if text, ok := jsonValue(v).(string); ok && !json.Valid([]byte(text)) {
				t.Fatalf("%#v converts to invalid JSON %q", v, text)
			}
		}
	})
}
