package api

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"valid/one/va_lid", true},
		{"Приключения/੫൬/Foo", true},
		{"a.b/c-d", true},
		{"single", true},
		{"", false},
		{"/lead", false},
		{"trail/", false},
		{"a//b", false},
		{"a-bad/sp ace", false},
		{"/", false},
		{"a/../b", false},
		{"./a", false},
		{"a/..", false},
		{"a\\b", false},
		{strings.Repeat("a", 513), false},
	} {
		if err := ValidateName(tc.name); (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		ok     bool
		want   string
	}{
		{"", true, ""},
		{"valid/1/", true, ""},
		{"acmeCo", false, `did you mean "acmeCo/"`},
		{"/bad/", false, "empty path component"},
		{"a//b/", false, "empty path component"},
		{"a/../", false, "not allowed"},
	} {
		err := ValidatePrefix(tc.prefix)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ValidatePrefix(%q) = %v, want ok=%v %q", tc.prefix, err, tc.ok, tc.want)
		}
	}
}

// FuzzValidateName checks that an accepted name can never name a path outside its directory and
// that its prefixes are valid prefixes.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"acmeCo/x", "a/../b", "..", "a/b/", "Приключения/x", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateName(name) != nil {
			return
		}
		for _, tok := range strings.Split(name, "/") {
			if tok == "" || tok == "." || tok == ".." || strings.ContainsAny(tok, "\\\x00 ") {
				t.Fatalf("accepted %q with component %q", name, tok)
			}
		}
		if i := strings.LastIndex(name, "/"); i >= 0 {
			if err := ValidatePrefix(name[:i+1]); err != nil {
				t.Fatalf("the prefix of accepted name %q is invalid: %v", name, err)
			}
		}
	})
}
