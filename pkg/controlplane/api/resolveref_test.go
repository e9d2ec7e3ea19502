package api

import "testing"

func TestResolveRef(t *testing.T) {
	for _, tc := range []struct{ base, ref, want string }{
		{"file:///cat/flow.yaml", "schemas/a.json", "file:///cat/schemas/a.json"},
		{"file:///cat/schemas/a.json", "../b.json#/$defs/x", "file:///cat/b.json#/$defs/x"},
		{"https://example.com/s/a.json", "#/$defs/x", "https://example.com/s/a.json#/$defs/x"},
		{"", "other.json", "/other.json"}, // Go resolves against an empty base as against "/".
		{"file:///cat/a.json", "flow://inferred-schema", "flow://inferred-schema"},
		{"%zz", "a.json", "a.json"},          // An unparsable base leaves the ref as written.
		{"file:///cat/a.json", "%zz", "%zz"}, // So does an unparsable ref.
	} {
		if got := ResolveRef(tc.base, tc.ref); got != tc.want {
			t.Errorf("ResolveRef(%q, %q) = %q, want %q", tc.base, tc.ref, got, tc.want)
		}
	}
}
