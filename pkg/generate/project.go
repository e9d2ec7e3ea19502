package generate

import (
	"net/url"
	"os"
	"path/filepath"
)

// TypeScriptDir is where generated TypeScript modules live, below the project root.
const TypeScriptDir = "flow_generated/typescript"

// ProjectRoot is the directory generated files are written under, found as Flow finds it: the
// directory of a local source, then each parent for as long as it holds a flow.yaml, flow.yml or
// flow.json; for a remote source, the working directory.
func ProjectRoot(source string) (string, error) {
	path := source
	if u, err := url.Parse(source); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if u.Scheme != "file" {
			return os.Getwd()
		}
		path = u.Path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(abs)
	for {
		parent := filepath.Dir(dir)
		if parent == dir || !hasCatalogFile(parent) {
			return dir, nil
		}
		dir = parent
	}
}

func hasCatalogFile(dir string) bool {
	for _, name := range []string{"flow.yaml", "flow.yml", "flow.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// TypeScriptPath is the module of a collection's types below the project root.
func TypeScriptPath(root, collection string) string {
	return filepath.Join(root, filepath.FromSlash(TypeScriptDir), filepath.FromSlash(collection)+".ts")
}

// denoJSON maps the `flow/` import prefix onto the generated modules, as Flow writes it.
const denoJSON = "{\n  \"imports\": {\n    \"flow/\": \"./" + TypeScriptDir + "/\"\n  }\n}"

// fileURLPath returns the local path of a file:// URL, and false for any other URL.
func fileURLPath(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return "", false
	}
	return filepath.FromSlash(u.Path), true
}
