package catalog

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
	"regexp"
)

// Flow's name grammar (crates/models references.rs), as anchored-prefix regexes so that a failed
// match can name the part that is invalid.
const tokenChars = `[\pL\pN\-_.]`

var (
	catalogNameRe = regexp.MustCompile(`^` + tokenChars + `+(/` + tokenChars + `+)*`)
	prefixRe      = regexp.MustCompile(`^(` + tokenChars + `+/)*`)
	tokenRe       = regexp.MustCompile(`^` + tokenChars + `+`)
	fieldRe       = regexp.MustCompile(`^([^/~]|~[01])+(/([^/~]|~[01])+)*`)
	pointerRe     = regexp.MustCompile(`^(/([^/~]|~[01])+)*`)
)

// unmatched returns the part of s the grammar does not accept, or "" when s matches in full.
func unmatched(re *regexp.Regexp, s string) string {
	return s[len(re.FindString(s)):]
}

// collate folds a name the way Flow compares names for collisions: Unicode NFD, case folding,
// then NFKC, so `Acme/Foo` collides with `acme/foo` and `ß` with `ss`.
func collate(name string) string {
	return norm.NFKC.String(cases.Fold().String(norm.NFD.String(name)))
}

// checkName reports whether name matches re in full, and otherwise the invalid remainder.
func checkName(re *regexp.Regexp, name string) (bad string, ok bool) {
	if name == "" {
		return "", false
	}
	rest := unmatched(re, name)
	return rest, rest == ""
}
