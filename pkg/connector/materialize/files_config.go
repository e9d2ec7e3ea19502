package materialize

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// filesConfig is materialize-files' endpoint config.
type filesConfig struct {
	Directory string `json:"directory"`
}

func parseFilesConfig(raw json.RawMessage) (filesConfig, error) {
	var c filesConfig
	if err := json.Unmarshal(orEmpty(raw), &c); err != nil {
		return c, fmt.Errorf("materialize-files config: %w; expected {directory: DIR}", err)
	}
	if c.Directory == "" {
		return c, fmt.Errorf("materialize-files config has no `directory`: give the directory the files are written under, e.g. {directory: out}")
	}
	return c, nil
}

// filesResource is a binding's resource config: the file, relative to the directory.
type filesResource struct {
	Path string `json:"path"`
}

// filesStateDir holds each task's checkpoint and transaction spools; bindings may not write there.
const filesStateDir = ".flowctl"

// parseFilesResource reads and checks a binding's resource. The path must stay under the
// directory: absolute paths and `..` are refused, so a catalog cannot write elsewhere.
func parseFilesResource(raw json.RawMessage, collection string) (filesResource, error) {
	var r filesResource
	if err := json.Unmarshal(orEmpty(raw), &r); err != nil {
		return r, fmt.Errorf("resource of the binding of %s: %w; expected {path: FILE}", collection, err)
	}
	p := r.Path
	switch {
	case p == "":
		return r, fmt.Errorf("resource of the binding of %s has no `path`: name the file to append to, e.g. {path: %s.jsonl}",
			collection, defaultTableName(collection))
	case strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || (len(p) > 1 && p[1] == ':'):
		return r, fmt.Errorf("resource path %q of the binding of %s is absolute: give a path relative to the config's directory", p, collection)
	case strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0):
		return r, fmt.Errorf("resource path %q of the binding of %s has a backslash or NUL: separate directories with /", p, collection)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return r, fmt.Errorf("resource path %q of the binding of %s leaves the directory with `..`: give a path under it", p, collection)
		}
	}
	r.Path = path.Clean(p)
	if r.Path == "." || strings.HasSuffix(p, "/") {
		return r, fmt.Errorf("resource path %q of the binding of %s names a directory: name a file under it", p, collection)
	}
	if r.Path == filesStateDir || strings.HasPrefix(r.Path, filesStateDir+"/") {
		return r, fmt.Errorf("resource path %q of the binding of %s is under %s/, which holds flowctl's checkpoints: choose another path",
			p, collection, filesStateDir)
	}
	return r, nil
}
