package draft

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Profile is what flowctl keeps per profile in <config dir>/<profile>.json.
type Profile struct {
	// APIURL is flowd's base URL, like http://127.0.0.1:8080.
	APIURL string `json:"api_url,omitempty"`
	// Token is the user's API token (Flow names this field user_access_token).
	Token string `json:"user_access_token,omitempty"`
	// Draft is the selected draft's id.
	Draft string `json:"draft,omitempty"`
}

// Environment variables that override the profile, so CI needs no login.
const (
	EnvAPIURL = "FLOW_API_URL"
	EnvToken  = "FLOW_AUTH_TOKEN"
)

var profileNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func profilePath(dir, name string) (string, error) {
	if !profileNameRe.MatchString(name) {
		return "", fmt.Errorf("profile name %q may only hold letters, digits, '.', '_' and '-'", name)
	}
	return filepath.Join(dir, name+".json"), nil
}

// LoadProfile reads a profile; a missing file is an empty profile.
func LoadProfile(dir, name string) (Profile, error) {
	var p Profile
	path, err := profilePath(dir, name)
	if err != nil {
		return p, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	} else if err != nil {
		return p, err
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("profile %s is not valid JSON (%v): fix it or log in again", path, err)
	}
	return p, nil
}

// SaveProfile writes a profile atomically with mode 0600: it holds a secret.
func SaveProfile(dir, name string, p Profile) error {
	path, err := profilePath(dir, name)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'), 0o600)
}

// WithEnv returns the profile with FLOW_API_URL and FLOW_AUTH_TOKEN applied over it.
func (p Profile) WithEnv(getenv func(string) string) Profile {
	if v := getenv(EnvAPIURL); v != "" {
		p.APIURL = v
	}
	if v := getenv(EnvToken); v != "" {
		p.Token = v
	}
	return p
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and renames it over path, so
// readers see the old content or the new, never a part.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
