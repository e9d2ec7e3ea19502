package controlplane

import (
	"bytes"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestCanonicalSpec(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		t        api.SpecType
		ok       bool
	}{
		{`{"b": 1, "a": {"d": 2, "c": 12345678901234567890}}`, `{"a":{"c":12345678901234567890,"d":2},"b":1}`, api.Collection, true},
		{`{"html": "<a>&"}`, `{"html":"<a>&"}`, api.Capture, true},
		{`[{"ingest":{}}]`, `[{"ingest":{}}]`, api.Test, true},
		{`[1]`, ``, api.Collection, false},
		{`"x"`, ``, api.Collection, false},
		{`{} {}`, ``, api.Collection, false},
		{`{`, ``, api.Collection, false},
	} {
		got, _, err := canonicalSpec([]byte(tc.in), tc.t)
		if (err == nil) != tc.ok || string(got) != tc.want {
			t.Errorf("canonicalSpec(%s) = %s, %v; want %s ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzCanonicalSpec checks that canonical JSON is a fixed point: equal specs compare equal as bytes.
func FuzzCanonicalSpec(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"z":[1,2,{"y":null}],"a":"é"}`, `[]`, `{"n":1e400}`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		once, _, err := canonicalSpec(raw, api.Test)
		if err != nil {
			return
		}
		twice, _, err := canonicalSpec(once, api.Test)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("not a fixed point: %s -> %s (%v)", once, twice, err)
		}
	})
}
