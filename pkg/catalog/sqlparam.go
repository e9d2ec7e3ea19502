package catalog

import (
	"fmt"
	"strings"
	"unicode"
)

// explicitParamPrefix opens the spelling of a field that the simple `$field` form cannot carry.
const explicitParamPrefix = "$p::("

// ParamName is the canonical `$parameter` spelling of a projection field in SQLite lambdas
// (flow-spec 5.2). Fields of only letters, digits, whitespace, `_`, `-` and `/` are spelled `$`
// then the field with whitespace and `-` as `_` and `/` as `$`; others `$p::(field)` with
// whitespace as `_`.
func ParamName(field string) string {
	simple := true
	for _, r := range field {
		if !(unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsSpace(r) || r == '_' || r == '-' || r == '/') {
			simple = false
			break
		}
	}
	var b strings.Builder
	if simple {
		b.WriteByte('$')
	} else {
		b.WriteString(explicitParamPrefix)
	}
	for _, r := range field {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte('_')
		case simple && r == '/':
			b.WriteByte('$')
		case simple && r == '-':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	if !simple {
		b.WriteByte(')')
	}
	return b.String()
}

// ParamField resolves a `$parameter` of a lambda to one of fields: an exact match of the decoded
// name first, then a match where `_` stands for whitespace (or `-` in the simple form). When none
// matches, the error suggests the closest field's parameter.
func ParamField(param string, fields []string) (string, error) {
	explicit := strings.HasPrefix(param, explicitParamPrefix) && strings.HasSuffix(param, ")")
	var name string
	switch {
	case explicit:
		name = param[len(explicitParamPrefix) : len(param)-1]
	case strings.HasPrefix(param, "$"):
		name = strings.ReplaceAll(param[1:], "$", "/")
	default:
		return "", fmt.Errorf("parameter %s must start with $", param)
	}
	for _, f := range fields {
		if f == name {
			return f, nil
		}
	}
	for _, f := range fields {
		if wildcardMatch(name, f, explicit) {
			return f, nil
		}
	}
	if len(fields) == 0 {
		return "", fmt.Errorf("parameter %s not found: the source collection has no projections", param)
	}
	closest, best := "", -1
	for _, f := range fields {
		if d := osaDistance(name, f); best < 0 || d < best || (d == best && ParamName(f) < closest) {
			closest, best = ParamName(f), d
		}
	}
	return "", fmt.Errorf("parameter %s not found: did you mean %s ?", param, closest)
}

func wildcardMatch(name, field string, explicit bool) bool {
	nr, fr := []rune(name), []rune(field)
	if len(nr) != len(fr) {
		return false
	}
	for i, r := range nr {
		p := fr[i]
		if r != p && !(r == '_' && (unicode.IsSpace(p) || (p == '-' && !explicit))) {
			return false
		}
	}
	return true
}
