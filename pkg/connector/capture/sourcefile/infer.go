package sourcefile

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// inference accumulates what a set of sampled JSON values share at one location, to write a JSON
// schema that every sampled value satisfies.
type inference struct {
	types   map[string]bool
	objects int                   // how many sampled values were objects
	props   map[string]*inference // per property, with how many objects had it in seen
	seen    int
	items   *inference
}

func newInference() *inference {
	return &inference{types: map[string]bool{}, props: map[string]*inference{}}
}

// observe adds one value, decoded with UseNumber.
func (in *inference) observe(v any) {
	in.seen++
	switch v := v.(type) {
	case nil:
		in.types["null"] = true
	case bool:
		in.types["boolean"] = true
	case string:
		in.types["string"] = true
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			in.types["number"] = true
		} else {
			in.types["integer"] = true
		}
	case []any:
		in.types["array"] = true
		if in.items == nil {
			in.items = newInference()
		}
		for _, item := range v {
			in.items.observe(item)
		}
	case map[string]any:
		in.types["object"] = true
		in.objects++
		for name, child := range v {
			p, ok := in.props[name]
			if !ok {
				p = newInference()
				in.props[name] = p
			}
			p.observe(child)
		}
	}
}

// alwaysPresent reports whether every sampled object had property name.
func (in *inference) alwaysPresent(name string) bool {
	p, ok := in.props[name]
	return ok && p.seen == in.objects && in.objects > 0
}

// schema writes the JSON schema of what was observed.
func (in *inference) schema() map[string]any {
	out := map[string]any{}
	types := slices.Sorted(maps.Keys(in.types))
	if in.types["integer"] && in.types["number"] {
		// Every integer is a number: listing both would only make the schema noisier.
		types = slices.DeleteFunc(types, func(t string) bool { return t == "integer" })
	}
	switch len(types) {
	case 0:
	case 1:
		out["type"] = types[0]
	default:
		out["type"] = types
	}
	if in.objects > 0 {
		props := map[string]any{}
		var required []string
		for name, p := range in.props {
			props[name] = p.schema()
			if in.alwaysPresent(name) {
				required = append(required, name)
			}
		}
		out["properties"] = props
		if len(required) > 0 {
			slices.Sort(required)
			out["required"] = required
		}
	}
	if in.items != nil && in.items.seen > 0 {
		out["items"] = in.items.schema()
	}
	return out
}

// keyable reports whether every sampled value here was a string or every one an integer: the
// types a natural key of a file's records can have.
func (in *inference) keyable() bool {
	return len(in.types) == 1 && (in.types["string"] || in.types["integer"])
}

// naturalKey picks a key from the root of the records: the property "id", else the first in name
// order ending in "_id", if every sampled record had it as a string or an integer throughout.
func (in *inference) naturalKey() (string, bool) {
	candidates := []string{"id"}
	for _, name := range slices.Sorted(maps.Keys(in.props)) {
		if name != "id" && strings.HasSuffix(name, "_id") {
			candidates = append(candidates, name)
		}
	}
	for _, name := range candidates {
		if in.alwaysPresent(name) && in.props[name].keyable() {
			return "/" + escapePointerToken(name), true
		}
	}
	return "", false
}

func escapePointerToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
