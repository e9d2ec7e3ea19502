package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestMetaUUID(t *testing.T) {
	const u = "9f2952f3-c6a3-11ea-8802-080607050309"
	for _, tc := range []struct {
		name, line string
		want       string
		err        string
	}{
		{"first member", `{"_meta":{"uuid":"` + u + `"},"a":1}`, u, ""},
		{"after nested values", `{"a":{"_meta":{"uuid":"x"}},"b":["}",{"c":"\"]"}],"_meta":{"ack":true,"uuid":"` + u + `"}}`, u, ""},
		{"space everywhere", " {\n \"_meta\" :\t{ \"uuid\" : \"" + u + "\" } } ", u, ""},
		{"escaped key and value", `{"_\u006deta":{"u\u0075id":"9f2952f3-c6a3-11ea-8802-08060705030\u0039"}}`, u, ""},
		{"last duplicate _meta wins", `{"_meta":{"uuid":"x"},"_meta":{"uuid":"` + u + `"}}`, u, ""},
		{"last duplicate _meta has none", `{"_meta":{"uuid":"` + u + `"},"_meta":{}}`, "", "no /_meta/uuid"},
		{"keys match exactly", `{"_META":{"UUID":"` + u + `"}}`, "", "no /_meta/uuid"},
		{"scalars skipped", `{"n":-1.5e3,"t":true,"z":null,"_meta":{"x":[1,2],"uuid":"` + u + `"}}`, u, ""},
		{"no _meta", `{"a":1}`, "", "no /_meta/uuid"},
		{"_meta not an object", `{"_meta":"` + u + `"}`, "", "no /_meta/uuid"},
		{"uuid not a string", `{"_meta":{"uuid":42}}`, "", "is not a string"},
		{"an array", `[1,2]`, "", "no /_meta/uuid"},
		{"not JSON", `{"_meta":{"uuid":"` + u + `"}`, "", "not a JSON document"},
		{"trailing garbage", `{"_meta":{"uuid":"` + u + `"}} x`, "", "not a JSON document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metaUUID([]byte(tc.line))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("metaUUID = %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("metaUUID = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// referenceMetaUUID decodes the whole document with encoding/json, matching keys exactly.
func referenceMetaUUID(line []byte) (string, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber() // Numbers beyond float64 are still valid JSON.
	if err := dec.Decode(&doc); err != nil {
		return "", err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", errors.New("content after the document")
	}
	obj, _ := doc.(map[string]any)
	meta, _ := obj["_meta"].(map[string]any)
	v, ok := meta["uuid"]
	if !ok {
		return "", errNoUUID
	}
	s, ok := v.(string)
	if !ok {
		return "", errUUIDNotString
	}
	return s, nil
}

// FuzzMetaUUID checks the walker against a full decode: the same UUID string, or the same kind of error.
func FuzzMetaUUID(f *testing.F) {
	f.Add([]byte(`{"_meta":{"uuid":"9f2952f3-c6a3-11ea-8802-080607050309"},"a":[1,{"b":"}"}]}`))
	f.Add([]byte(`{"a":"\\\"","_meta":{"ack":true,"uuid":"x\u0041"}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := metaUUID(line)
		want, wantErr := referenceMetaUUID(line)
		switch {
		case wantErr == nil:
			if err != nil || !bytes.Equal(got, []byte(want)) {
				t.Fatalf("%q: metaUUID = %q, %v; decoding gives %q", line, got, err, want)
			}
		case errors.Is(wantErr, errNoUUID) || errors.Is(wantErr, errUUIDNotString):
			if !errors.Is(err, wantErr) {
				t.Fatalf("%q: metaUUID = %q, %v; want %v", line, got, err, wantErr)
			}
		default:
			if err == nil || !strings.Contains(err.Error(), "not a JSON document") {
				t.Fatalf("%q: metaUUID = %q, %v; want not a JSON document (%v)", line, got, err, wantErr)
			}
		}
	})
}
