package draft

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "flowctl")
	p, err := LoadProfile(dir, "default")
	if err != nil || p != (Profile{}) {
		t.Fatalf("a missing profile = %+v, %v; want empty", p, err)
	}
	want := Profile{APIURL: "http://127.0.0.1:1", Token: "flowd_secret", Draft: "0123456789abcdef"}
	if err := SaveProfile(dir, "ci", want); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "ci.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("profile mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	if got, err := LoadProfile(dir, "ci"); err != nil || got != want {
		t.Errorf("round trip = %+v, %v", got, err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	env := map[string]string{EnvAPIURL: "http://env", EnvToken: "envtoken"}
	if got := want.WithEnv(func(k string) string { return env[k] }); got.APIURL != "http://env" || got.Token != "envtoken" || got.Draft != want.Draft {
		t.Errorf("WithEnv = %+v", got)
	}
	for _, bad := range []string{"../x", "a/b", "", ".hidden"} {
		if err := SaveProfile(dir, bad, want); err == nil {
			t.Errorf("profile name %q was accepted", bad)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfile(dir, "broken"); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("a broken profile: %v", err)
	}
}

func TestNewClientNeedsAddressAndToken(t *testing.T) {
	for _, tc := range []struct {
		p    Profile
		want string
	}{
		{Profile{Token: "t"}, "no control plane address"},
		{Profile{APIURL: "ftp://x", Token: "t"}, "must be an http:// or https:// URL"},
		{Profile{APIURL: "http://x"}, "no API token"},
	} {
		if _, err := NewClient(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClient(%+v) = %v, want %q", tc.p, err, tc.want)
		}
	}
}
