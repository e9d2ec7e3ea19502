package runtime

import (
	"net/url"
	"path/filepath"
	"strings"
)

// resolveRelativePath makes a connector config's or resource's relative `path` relative to the
// directory of the catalog file that declares it (scopeURL), as a data engineer reading the catalog
// expects, rather than to the process's working directory. Only file catalogs are affected:
// absolute paths, URLs, `file:` names and SQLite's `:memory:` are left alone, as is everything
// declared by a catalog fetched over HTTP.
func resolveRelativePath(value any, scopeURL string) any {
	obj, ok := value.(map[string]any)
	if !ok {
		return value
	}
	p, ok := obj["path"].(string)
	if !ok || p == "" || filepath.IsAbs(p) || strings.Contains(p, ":") {
		return value
	}
	u, err := url.Parse(scopeURL)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return value
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["path"] = filepath.Join(filepath.Dir(filepath.FromSlash(u.Path)), p)
	return out
}
