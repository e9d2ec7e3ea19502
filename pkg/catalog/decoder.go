package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder reads the model out of one catalog file's YAML nodes, reporting every problem with the
// node's position and carrying on, so that one run lists all of them.
type decoder struct {
	res   *Resource
	conv  *converter
	diags Diagnostics
	// files are values that name files, fetched by the loader once the document is decoded.
	files []*FileOrInline
	// schemas are schema references to files, fetched by the loader.
	schemas []*SchemaRef
}

func newDecoder(res *Resource) *decoder {
	return &decoder{res: res, conv: newConverter(true)}
}

func (d *decoder) pos(n *yaml.Node, ptr string) Position {
	return Position{URL: d.res.URL, Line: n.Line, Col: n.Column, Pointer: ptr}
}

func (d *decoder) errorf(n *yaml.Node, ptr, code, hint, format string, args ...any) {
	d.diags = append(d.diags, newDiagnostic(d.pos(n, ptr), SeverityError, code, hint, fmt.Sprintf(format, args...)))
}

// reportValueError turns a converter error into a diagnostic at the node it names.
func (d *decoder) reportValueError(err error, fallback *yaml.Node, ptr string) {
	var ve *valueError
	if errors.As(err, &ve) {
		d.errorf(ve.Node, ptr, "yaml.value", "", "%s", ve.Msg)
		return
	}
	d.errorf(fallback, ptr, "yaml.value", "", "%v", err)
}

// object checks that n is a mapping with only known properties, and returns its entries by name.
// Unknown properties are errors with a did-you-mean, as Flow denies unknown fields everywhere.
func (d *decoder) object(n *yaml.Node, ptr, what string, known ...string) (map[string]pair, bool) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(n, ptr, "catalog.type", "", "%s must be an object, not %s", what, describeNode(n))
		return nil, false
	}
	pairs, err := d.conv.pairs(n)
	if err != nil {
		d.reportValueError(err, n, ptr)
		return nil, false
	}
	out := make(map[string]pair, len(pairs))
	for _, p := range pairs {
		if known != nil && !contains(known, p.name) {
			hint := "expected one of: " + strings.Join(known, ", ")
			if s := suggest(p.name, known, 3); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			d.errorf(p.key, pointerJoin(ptr, p.name), "catalog.unknown-property", hint,
				"unknown property %q in %s", p.name, what)
			continue
		}
		out[p.name] = p
	}
	return out, true
}

// entries lists a mapping's entries in file order, for maps keyed by user-chosen names.
func (d *decoder) entries(n *yaml.Node, ptr, what string) []pair {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, ptr, "catalog.type", "", "%s must be an object keyed by name, not %s", what, describeNode(n))
		return nil
	}
	pairs, err := d.conv.pairs(n)
	if err != nil {
		d.reportValueError(err, n, ptr)
		return nil
	}
	return pairs
}

func (d *decoder) require(fields map[string]pair, n *yaml.Node, ptr, what string, names ...string) bool {
	ok := true
	for _, name := range names {
		if _, has := fields[name]; !has {
			d.errorf(deref(n), ptr, "catalog.missing-property", "", "%s is missing the required property %q", what, name)
			ok = false
		}
	}
	return ok
}

func (d *decoder) str(n *yaml.Node, ptr, what string) string {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errorf(n, ptr, "catalog.type", "", "%s must be a string, not %s", what, describeNode(n))
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, ptr, what string) bool {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errorf(n, ptr, "catalog.type", "", "%s must be true or false, not %s", what, describeNode(n))
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return b
}

func (d *decoder) uint32(n *yaml.Node, ptr, what string) uint32 {
	n = deref(n)
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 10, 32)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil {
		d.errorf(n, ptr, "catalog.type", "", "%s must be a whole number from 0 to %d, not %s", what, uint32(1<<32-1), describeNode(n))
		return 0
	}
	return uint32(v)
}

func (d *decoder) strings(n *yaml.Node, ptr, what string) []string {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, ptr, "catalog.type", "", "%s must be a list of strings, not %s", what, describeNode(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		out = append(out, d.str(item, pointerIndex(ptr, i), what+" entries"))
	}
	return out
}

func (d *decoder) value(n *yaml.Node, ptr string) any {
	v, err := d.conv.value(n)
	if err != nil {
		d.reportValueError(err, n, ptr)
	}
	return v
}

// durationRe accepts Flow's durations: one or more numbers with units, like 30s, 5m, 48h, 2d or 1h 30m.
var (
	durationRe     = regexp.MustCompile(`^\s*(\d+\s*(ms|s|m|h|d)\s*)+$`)
	durationPartRe = regexp.MustCompile(`(\d+)\s*(ms|s|m|h|d)`)
)

func (d *decoder) duration(n *yaml.Node, ptr, what string) string {
	s := d.str(n, ptr, what)
	if s != "" && !durationRe.MatchString(s) {
		d.errorf(deref(n), ptr, "catalog.duration", "write a number with a unit: 30s, 5m, 48h or 2d",
			"%s %q is not a duration", what, s)
	}
	return s
}

func (d *decoder) enum(n *yaml.Node, ptr, what string, allowed ...string) string {
	s := d.str(n, ptr, what)
	if s != "" && !contains(allowed, s) {
		hint := "expected one of: " + strings.Join(allowed, ", ")
		if sug := suggest(s, allowed, 3); sug != "" {
			hint = fmt.Sprintf("did you mean %q?", sug)
		}
		d.errorf(deref(n), ptr, "catalog.enum", hint, "%s %q is not one of the allowed values", what, s)
	}
	return s
}

// fileOrInline applies Flow's rule: a string without whitespace is the relative URL of a file,
// fetched later by the loader; anything else is the value itself.
func (d *decoder) fileOrInline(n *yaml.Node, ptr string, kind ResourceKind) *FileOrInline {
	n = deref(n)
	f := &FileOrInline{Kind: kind, Scope: d.pos(n, ptr)}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != "" && !strings.ContainsAny(n.Value, " \t\r\n\v\f") {
		f.URL = n.Value // made absolute by the loader
		d.files = append(d.files, f)
		return f
	}
	f.Value = d.value(n, ptr)
	return f
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		}
		return n.Value
	}
	return "an empty document"
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
