package journal

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Store holds fragment files. The local implementation is a directory; cloud stores (s3://, gs://)
// implement the same four methods.
type Store interface {
	// URL identifies the store, e.g. file:///var/data/.
	URL() string
	// Put writes the object at path (relative to the store) atomically: it is either absent or whole,
	// and durable once Put returns.
	Put(ctx context.Context, path string, write func(io.Writer) error) error
	// List calls fn with the path and modification time of every object under prefix.
	List(ctx context.Context, prefix string, fn func(path string, modTime time.Time) error) error
	// Open reads the object at path.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
}

// StoreMapping maps a catalog prefix to the URL of the store for collections under it, as a
// catalog's storageMappings do.
type StoreMapping struct {
	Prefix string `json:"prefix"`
	Store  string `json:"store"`
}

// storeURLFor returns the store URL of the longest mapping prefix of name, or "" (the data directory).
func storeURLFor(mappings []StoreMapping, name string) string {
	best, bestLen := "", -1
	for _, m := range mappings {
		if strings.HasPrefix(name, m.Prefix) && len(m.Prefix) > bestLen {
			best, bestLen = m.Store, len(m.Prefix)
		}
	}
	return best
}

// OpenStore opens the store at a URL: file:///abs/dir/, a path relative to dataDir, or "" for
// dataDir itself.
func OpenStore(rawURL, dataDir string) (Store, error) {
	if rawURL == "" {
		return newFileStore(dataDir)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store %q is not a URL or path: %w", rawURL, err)
	}
	switch u.Scheme {
	case "":
		if filepath.IsAbs(rawURL) {
			return nil, fmt.Errorf("store %q is an absolute path: write it as file://%s", rawURL, rawURL)
		}
		return newFileStore(filepath.Join(dataDir, filepath.FromSlash(rawURL)))
	case "file":
		if u.Host != "" {
			return nil, fmt.Errorf("store %q has a host: write local directories as file:///abs/dir/", rawURL)
		}
		return newFileStore(filepath.FromSlash(u.Path))
	case "s3", "gs", "azure", "azure-ad":
		return nil, fmt.Errorf("store %q: %s:// stores are not supported by the local runtime yet; map the prefix to a file:/// URL or a path under the data directory", rawURL, u.Scheme)
	}
	return nil, fmt.Errorf("store %q has unknown scheme %q (expected file:// or a relative path)", rawURL, u.Scheme)
}
