package connector

import (
	"net/url"
	"path/filepath"
	"strings"
)

// ResolveRelativePath returns a connector config or resource whose relative `path` is made
// relative to the directory of the catalog file that declares it (scopeURL), as a data engineer
// reading the catalog expects, rather than to the process's working directory. Every command that
// runs connectors from a catalog uses it, so develop, test and the raw commands agree. Only file
// catalogs are affected: absolute paths, URLs, `file:` names and SQLite's `:memory:` are left alone,
// as is everything declared by a catalog fetched over HTTP. The given value is never modified.
func ResolveRelativePath(value any, scopeURL string) any {
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
