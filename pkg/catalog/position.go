package catalog

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Position locates a value of a catalog: the URL of the resource that holds it, its line and column
// there (1-based; 0 when unknown), and its JSON pointer inside that resource.
type Position struct {
	URL     string `json:"url"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Pointer string `json:"pointer"`
}

// String renders "file:line:col" in the form Diagnostic.File uses.
func (p Position) String() string {
	if p.Line == 0 {
		return displayName(p.URL)
	}
	return fmt.Sprintf("%s:%d:%d", displayName(p.URL), p.Line, p.Col)
}

// Scope is the URL of the value with its pointer as the fragment, as Flow names the scope of an entity
// (file:///p/flow.yaml#/collections/acme~1x).
func (p Position) Scope() string { return p.URL + "#" + p.Pointer }

// pointerJoin appends reference tokens to a JSON pointer, escaping '~' and '/'.
func pointerJoin(ptr string, tokens ...string) string {
	var b strings.Builder
	b.WriteString(ptr)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

func pointerIndex(ptr string, i int) string { return ptr + "/" + itoa(i) }

func escapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(t)
}

func unescapeToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
}

// splitPointer returns the unescaped reference tokens of a JSON pointer ("" has none).
func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = unescapeToken(p)
	}
	return parts
}

// displayName shows a file URL as a path, relative to the working directory when it lies below it,
// so that messages read "flow.yaml:3:5" as editors and terminals expect.
func displayName(resource string) string {
	u, err := url.Parse(resource)
	if err != nil || u.Scheme != "file" {
		return resource
	}
	path := filepath.FromSlash(u.Path)
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

func itoa(i int) string { return strconv.Itoa(i) }
