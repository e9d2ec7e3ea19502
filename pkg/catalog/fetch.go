package catalog

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// maxResourceSize bounds one fetched file, so a wrong URL cannot exhaust memory.
const maxResourceSize = 64 << 20

var httpClient = &http.Client{Timeout: 30 * time.Second}

// sourceURL turns a --source argument (a path, or a file or http(s) URL) into an absolute URL.
func sourceURL(source string) (*url.URL, error) {
	if u, err := url.Parse(source); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file") {
		return u, nil
	}
	abs, err := filepath.Abs(source)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
}

// fetch reads a file or http(s) resource. Other schemes are refused.
func fetch(ctx context.Context, u *url.URL) ([]byte, error) {
	switch u.Scheme {
	case "file":
		f, err := os.Open(filepath.FromSlash(u.Path))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a file", filepath.FromSlash(u.Path))
		}
		return readLimited(f)
	case "http", "https":
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return readLimited(resp.Body)
	default:
		return nil, fmt.Errorf("cannot fetch %s: only file, http and https URLs are supported", u)
	}
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxResourceSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxResourceSize {
		return nil, fmt.Errorf("file is larger than %d MB", maxResourceSize>>20)
	}
	return b, nil
}
