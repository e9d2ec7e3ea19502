package draft

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/flowctl/flowctl/internal/atomicfile"
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
	return atomicfile.Write(path, append(data, '\n'), 0o600)
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
