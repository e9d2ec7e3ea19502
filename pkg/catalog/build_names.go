package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

type namedEntity struct {
	kind  string
	name  string
	scope Position
}

// checkNames checks every entity name against Flow's grammar, then the one namespace that captures,
// collections, materializations and tests share: no two names may be equal after case folding,
// and no name may be a path prefix (acme/foo) of another (acme/foo/bar).
func (b *builder) checkNames() {
	var all []namedEntity
	for _, c := range b.cat.Collections {
		all = append(all, namedEntity{"collection", c.Name, c.Scope})
	}
	for _, c := range b.cat.Captures {
		all = append(all, namedEntity{"capture", c.Name, c.Scope})
	}
	for _, m := range b.cat.Materializations {
		all = append(all, namedEntity{"materialization", m.Name, m.Scope})
	}
	for _, t := range b.cat.Tests {
		all = append(all, namedEntity{"test", t.Name, t.Scope})
	}
	for _, e := range all {
		b.checkName(e, catalogNameRe, "names are letters, digits, '-', '_' and '.', in parts separated by single slashes, like acmeCo/orders")
	}
	b.checkCollisions(all, true)
}

func (b *builder) checkName(e namedEntity, re *regexp.Regexp, hint string) bool {
	bad, ok := checkName(re, e.name)
	switch {
	case ok:
		return true
	case e.name == "":
		b.errorf(e.scope, "name.empty", hint, "%s name cannot be empty", e.kind)
	default:
		b.errorf(e.scope, "name.invalid", hint, "%q cannot be used as a %s name (%q is invalid)", e.name, e.kind, bad)
	}
	return false
}

// checkCollisions reports names equal after collation and, when hierarchical, names that are a
// path prefix of another. The later definition (by file and line) is the one reported.
func (b *builder) checkCollisions(all []namedEntity, hierarchical bool) {
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].scope.URL != all[j].scope.URL {
			return all[i].scope.URL < all[j].scope.URL
		}
		return all[i].scope.Line < all[j].scope.Line
	})
	first := make(map[string]namedEntity, len(all))
	for _, e := range all {
		key := collate(e.name)
		if prev, ok := first[key]; ok {
			b.errorf(e.scope, "name.collision", "rename or remove one of them",
				"%s %s collides with %s %s, defined at %s", e.kind, e.name, prev.kind, prev.name, prev.scope)
			continue
		}
		first[key] = e
	}
	if !hierarchical {
		return
	}
	for key, e := range first {
		for i := strings.IndexByte(key, '/'); i >= 0; i = nextSlash(key, i) {
			if parent, ok := first[key[:i]]; ok {
				b.errorf(parent.scope, "name.prefix", fmt.Sprintf("names are paths: rename %s or %s so neither contains the other", parent.name, e.name),
					"%s %s is a prohibited prefix of %s %s, defined at %s", parent.kind, parent.name, e.kind, e.name, e.scope)
			}
		}
	}
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
