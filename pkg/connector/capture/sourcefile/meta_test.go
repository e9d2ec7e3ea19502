package sourcefile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestWithMeta(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`{"id":1}`, `{"_meta":{"file":"/d/f","offset":7},"id":1}`},
		{`{}`, `{"_meta":{"file":"/d/f","offset":7}}`},
		{`{ }`, `{"_meta":{"file":"/d/f","offset":7}}`},
		{`{"_meta":{"op":"c"},"id":1}`, `{"_meta":{"file":"/d/f","offset":7,"op":"c"},"id":1}`},
		{`{"_meta":{"file":"old"}}`, `{"_meta":{"file":"/d/f","offset":7}}`},
		{`{"\u005fmeta":{"x":1}}`, `{"_meta":{"file":"/d/f","offset":7,"x":1}}`},
		{`{"note":"a \u00e9"}`, `{"_meta":{"file":"/d/f","offset":7},"note":"a é"}`},
	}
	for _, tc := range cases {
		got, err := withMeta([]byte(tc.raw), "/d/f", 7)
		if err != nil || !sameJSON(t, got, tc.want) {
			t.Errorf("withMeta(%s) = %s (%v), want %s", tc.raw, got, err, tc.want)
		}
	}
	for _, raw := range []string{`{"_meta":5}`, `{"_meta":null}`, `{"_meta":[1]}`} {
		if _, err := withMeta([]byte(raw), "/f", 0); err == nil || !strings.Contains(err.Error(), "_meta is not an object") {
			t.Errorf("withMeta(%s): error %v", raw, err)
		}
	}
}

func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(a, b)
}

// FuzzWithMeta checks that any object keeps its properties and gains exactly the file and offset.
func FuzzWithMeta(f *testing.F) {
	f.Add([]byte(`{"id":1,"x":[{"_meta":2}]}`))
	f.Add([]byte(`{"_meta":{"a":1}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var before map[string]any
		if json.Unmarshal(raw, &before) != nil || before == nil || len(raw) == 0 || raw[0] != '{' {
			return
		}
		out, err := withMeta(raw, "/f", 3)
		if _, has := before["_meta"]; err != nil {
			if m, ok := before["_meta"].(map[string]any); !has || ok && m != nil {
				t.Fatalf("withMeta(%s) failed: %v", raw, err)
			}
			return
		}
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("withMeta(%s) = %s, not JSON: %v", raw, out, err)
		}
		meta, _ := after["_meta"].(map[string]any)
		if meta["file"] != "/f" || meta["offset"] != 3.0 {
			t.Fatalf("withMeta(%s) = %s", raw, out)
		}
		delete(after, "_meta")
		delete(before, "_meta")
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("withMeta(%s) changed other properties: %s", raw, out)
		}
	})
}
