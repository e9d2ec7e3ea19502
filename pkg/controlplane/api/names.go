package api

import (
	"fmt"
	"regexp"
	"strings"
)

// Flow's name grammar (crates/models/src/references.rs): tokens of letters, numbers, '-', '_' and '.',
// joined by '/'. A prefix is zero or more tokens each followed by '/'.
var (
	tokenRe  = regexp.MustCompile(`^[\pL\pN\-_.]+$`)
	maxBytes = 512
)

// ValidateName checks a catalog name against Flow's CATALOG_NAME grammar, and also refuses the
// tokens "." and "..", which Flow's grammar admits but which would escape directories when specs
// are written to files.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("catalog name cannot be empty")
	}
	if len(name) > maxBytes {
		return fmt.Errorf("catalog name is %d bytes long; the limit is %d", len(name), maxBytes)
	}
	for _, tok := range strings.Split(name, "/") {
		if err := validToken(tok); err != nil {
			return fmt.Errorf("%q cannot be used as a catalog name: %w", name, err)
		}
	}
	return nil
}

// ValidatePrefix checks a catalog prefix: "" (everything) or tokens each followed by '/'.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > maxBytes {
		return fmt.Errorf("catalog prefix is %d bytes long; the limit is %d", len(prefix), maxBytes)
	}
	if !strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("catalog prefix %q must end with '/' (did you mean %q?)", prefix, prefix+"/")
	}
	for _, tok := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if err := validToken(tok); err != nil {
			return fmt.Errorf("%q cannot be used as a catalog prefix: %w", prefix, err)
		}
	}
	return nil
}

func validToken(tok string) error {
	switch {
	case tok == "":
		return fmt.Errorf("it has an empty path component (leading, trailing or doubled '/')")
	case tok == "." || tok == "..":
		return fmt.Errorf("path components %q and %q are not allowed", ".", "..")
	case !tokenRe.MatchString(tok):
		return fmt.Errorf("component %q may only hold letters, numbers, '-', '_' and '.'", tok)
	}
	return nil
}
