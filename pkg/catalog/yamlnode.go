package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxAliasExpansion bounds the nodes reached through YAML aliases in one document, so that a
// "billion laughs" document is an error instead of exhausting memory.
const maxAliasExpansion = 1 << 20

// parseError is a YAML syntax error with the line it was found on.
type parseError struct {
	Line int
	Msg  string
}

func (e *parseError) Error() string { return e.Msg }

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// parseYAML parses a YAML or JSON document (JSON is YAML) into its root content node.
// An empty document gives a null node.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The YAML library is not ours; a panic on hostile input must still be a clean error.
		if r := recover(); r != nil {
			root, err = nil, &parseError{Line: 1, Msg: fmt.Sprintf("unparseable YAML: %v", r)}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1, Column: 1}, nil
	}
	return doc.Content[0], nil
}

// syntaxError extracts the line of a YAML parser error. The parser reports errors about an
// unclosed construct ("did not find expected ...") at the construct's 0-based line; others 1-based.
func syntaxError(data []byte, err error) *parseError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimPrefix(err.Error(), m[0])
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	} else if m := unknownAnchorRe.FindStringSubmatch(msg); m != nil {
		for i, l := range strings.Split(string(data), "\n") {
			if strings.Contains(l, "*"+m[1]) {
				line = i + 1
				break
			}
		}
	}
	return &parseError{Line: line, Msg: msg}
}

var unknownAnchorRe = regexp.MustCompile(`^unknown anchor '(.*)' referenced`)

// valueError is a value that has no JSON form, at a node.
type valueError struct {
	Node *yaml.Node
	Msg  string
}

func (e *valueError) Error() string { return e.Msg }

// converter turns YAML nodes into JSON values (nil, bool, json.Number, string, []any, map[string]any).
type converter struct {
	// mergeKeys applies YAML `<<` merge keys; Flow applies them in catalogs but not in schemas.
	mergeKeys bool
	budget    int
}

func newConverter(mergeKeys bool) *converter {
	return &converter{mergeKeys: mergeKeys, budget: maxAliasExpansion}
}

func (c *converter) value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		c.budget--
		if c.budget < 0 || n.Alias == nil {
			return nil, &valueError{n, "too many YAML alias expansions in this document"}
		}
		return c.value(n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		pairs, err := c.pairs(n)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(pairs))
		for _, p := range pairs {
			v, err := c.value(p.val)
			if err != nil {
				return nil, err
			}
			out[p.name] = v
		}
		return out, nil
	default:
		return scalarValue(n)
	}
}

// pair is one entry of a YAML mapping, with its key text.
type pair struct {
	name     string
	key, val *yaml.Node
}

// pairs lists a mapping's entries, applying merge keys when enabled and rejecting duplicate keys
// (JSON objects cannot hold them, and Flow rejects them).
func (c *converter) pairs(n *yaml.Node) ([]pair, error) {
	out := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	var merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if c.mergeKeys && k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			m, err := c.mergeSources(v)
			if err != nil {
				return nil, err
			}
			merged = append(merged, m...)
			continue
		}
		name, err := keyText(k)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, &valueError{k, fmt.Sprintf("duplicate key %q in this mapping", name)}
		}
		seen[name] = true
		out = append(out, pair{name, k, v})
	}
	// Explicit keys win over merged ones, and earlier merge sources over later ones.
	for _, p := range merged {
		if !seen[p.name] {
			seen[p.name] = true
			out = append(out, p)
		}
	}
	return out, nil
}

func (c *converter) mergeSources(v *yaml.Node) ([]pair, error) {
	for v.Kind == yaml.AliasNode {
		c.budget--
		if c.budget < 0 || v.Alias == nil {
			return nil, &valueError{v, "too many YAML alias expansions in this document"}
		}
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return c.pairs(v)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			ps, err := c.mergeSources(item)
			if err != nil {
				return nil, err
			}
			out = append(out, ps...)
		}
		return out, nil
	}
	return nil, &valueError{v, "a YAML merge key (<<) must refer to a mapping or a list of mappings"}
}

func keyText(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", &valueError{k, "mapping keys must be strings, not nested mappings or lists"}
	}
	return k.Value, nil
}

// scalarValue resolves a scalar by its YAML tag into its JSON form. Integers and floats keep their
// exact digits as json.Number so that large keys and sums survive.
func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &valueError{n, err.Error()}
		}
		return b, nil
	case "!!int":
		return intNumber(n)
	case "!!float":
		return floatNumber(n)
	default:
		// Strings, timestamps and binary stay as their text, as a YAML-to-JSON transcoder leaves them.
		return n.Value, nil
	}
}

func intNumber(n *yaml.Node) (any, error) {
	text := strings.ReplaceAll(n.Value, "_", "")
	if isJSONNumber(text) {
		return json.Number(text), nil
	}
	// YAML spellings JSON lacks: 0x1F, 0o17, +5.
	var i big.Int
	if _, ok := i.SetString(strings.TrimPrefix(text, "+"), 0); !ok {
		return nil, &valueError{n, fmt.Sprintf("%q is not a valid integer", n.Value)}
	}
	return json.Number(i.String()), nil
}

func floatNumber(n *yaml.Node) (any, error) {
	text := strings.ReplaceAll(n.Value, "_", "")
	if isJSONNumber(text) {
		return json.Number(text), nil
	}
	f, err := strconv.ParseFloat(strings.TrimPrefix(text, "+"), 64)
	if err != nil {
		var f32 float64
		if derr := n.Decode(&f32); derr != nil {
			return nil, &valueError{n, fmt.Sprintf("%q is not a valid number", n.Value)}
		}
		f = f32
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &valueError{n, fmt.Sprintf("%s has no JSON representation; write it as a string", n.Value)}
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

var jsonNumberRe = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func isJSONNumber(s string) bool { return jsonNumberRe.MatchString(s) }

// locate finds the node a JSON pointer names below root, following aliases and merge keys. When the
// pointer runs past the document (a missing property), it returns the deepest node that exists.
func locate(root *yaml.Node, ptr string) *yaml.Node {
	n := root
	for _, tok := range splitPointer(ptr) {
		n = deref(n)
		next := child(n, tok)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func child(n *yaml.Node, tok string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		var merged *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if k.Tag == "!!merge" {
				if merged == nil {
					merged = mergedChild(deref(n.Content[i+1]), tok)
				}
				continue
			}
			if k.Value == tok {
				return n.Content[i+1]
			}
		}
		return merged
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	return nil
}

// mergedChild looks tok up in the source of a merge key: a mapping or a list of mappings.
func mergedChild(src *yaml.Node, tok string) *yaml.Node {
	if src.Kind == yaml.SequenceNode {
		for _, item := range src.Content {
			if c := child(deref(item), tok); c != nil {
				return c
			}
		}
		return nil
	}
	return child(src, tok)
}

var errNotUTF8 = errors.New("resource content is not valid UTF-8")
