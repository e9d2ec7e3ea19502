package draft

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/fatih/color"
	"go.yaml.in/yaml/v3"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// ChangeKind says what a publication does to one spec.
type ChangeKind string

// Kinds of change.
const (
	Added     ChangeKind = "added"
	Changed   ChangeKind = "changed"
	Deleted   ChangeKind = "deleted"
	Unchanged ChangeKind = "unchanged"
)

// Change is one entry of a plan.
type Change struct {
	Kind ChangeKind
	Spec api.DraftSpec
	// Diff is the unified diff of the live spec and the drafted one, as YAML, for Changed.
	Diff string
}

// Plan is what publishing a draft would do, entity by entity, sorted by name.
type Plan struct {
	Changes []Change
}

// NewPlan compares drafted specs with the live specs of the same names (fetched with their spec).
func NewPlan(drafted []api.DraftSpec, live []api.LiveSpec) (Plan, error) {
	byName := map[string]api.LiveSpec{}
	for _, l := range live {
		byName[l.CatalogName] = l
	}
	var p Plan
	for _, ds := range drafted {
		l, isLive := byName[ds.CatalogName]
		c := Change{Spec: ds}
		switch {
		case ds.IsDeletion() && !isLive:
			return p, fmt.Errorf("cannot delete %s: it is not a live spec you can read", ds.CatalogName)
		case ds.IsDeletion():
			c.Kind = Deleted
			c.Spec.SpecType = l.SpecType
		case !isLive:
			c.Kind = Added
		default:
			before, err := specYAML(l.Spec)
			if err != nil {
				return p, fmt.Errorf("live spec %s: %v", l.CatalogName, err)
			}
			after, err := specYAML(ds.Spec)
			if err != nil {
				return p, fmt.Errorf("drafted spec %s: %v", ds.CatalogName, err)
			}
			if c.Diff = lineDiff(before, after, 3); c.Diff == "" && l.SpecType == ds.SpecType {
				c.Kind = Unchanged
			} else {
				c.Kind = Changed
			}
		}
		// What was approved is what is committed: if the live spec moves on meanwhile, the
		// publication fails on expectPubId instead of overwriting a change nobody reviewed.
		if c.Spec.ExpectPubID == "" {
			c.Spec.ExpectPubID = api.NoPubID
			if isLive {
				c.Spec.ExpectPubID = l.LastPubID
			}
		}
		p.Changes = append(p.Changes, c)
	}
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Spec.CatalogName < p.Changes[j].Spec.CatalogName })
	return p, nil
}

// ToPublish is the draft specs of every change but the unchanged ones.
func (p Plan) ToPublish() []api.DraftSpec {
	var out []api.DraftSpec
	for _, c := range p.Changes {
		if c.Kind != Unchanged {
			out = append(out, c.Spec)
		}
	}
	return out
}

// Count returns how many changes are of kind k.
func (p Plan) Count(k ChangeKind) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Render writes the plan for a person: one line per entity, diffs of changed ones, and a summary.
func (p Plan) Render(w io.Writer, useColor bool) error {
	paint := func(attr color.Attribute, s string) string {
		if !useColor {
			return s
		}
		c := color.New(attr)
		c.EnableColor() // the caller judged its own stream; fatih/color would judge stdout
		return c.Sprint(s)
	}
	marks := map[ChangeKind]string{
		Added: paint(color.FgGreen, "+ added    "), Changed: paint(color.FgYellow, "~ changed  "),
		Deleted: paint(color.FgRed, "- deleted  "), Unchanged: "  unchanged",
	}
	var buf bytes.Buffer
	for _, c := range p.Changes {
		fmt.Fprintf(&buf, "%s %s %s\n", marks[c.Kind], c.Spec.SpecType, c.Spec.CatalogName)
		if c.Kind != Changed {
			continue
		}
		for _, line := range splitLines(c.Diff) {
			switch {
			case line[0] == '+':
				line = paint(color.FgGreen, line)
			case line[0] == '-':
				line = paint(color.FgRed, line)
			case line[0] == '@':
				line = paint(color.FgCyan, line)
			}
			fmt.Fprintf(&buf, "      %s\n", line)
		}
	}
	fmt.Fprintf(&buf, "Plan: %d to add, %d to change, %d to delete, %d unchanged.\n",
		p.Count(Added), p.Count(Changed), p.Count(Deleted), p.Count(Unchanged))
	_, err := w.Write(buf.Bytes())
	return err
}

// specYAML renders a spec as YAML with sorted keys, the form diffs and pulled files use.
func specYAML(raw json.RawMessage) (string, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return "", err
	}
	return marshalYAML(v)
}

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// marshalYAML writes a JSON value as YAML: two-space indents, keys sorted (yaml.v3 sorts map keys),
// and json.Number kept as the number it is.
func marshalYAML(v any) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(toYAMLNode(v)); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// toYAMLNode builds the YAML tree of a JSON value, so numbers keep their exact text and keys their order.
func toYAMLNode(v any) *yaml.Node {
	switch t := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}
			n.Content = append(n.Content, key, toYAMLNode(t[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, x := range t {
			n.Content = append(n.Content, toYAMLNode(x))
		}
		return n
	case json.Number:
		// YAML integers stop at 64 bits; larger ones are written (and read back) as floats.
		tag := "!!float"
		if _, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			tag = "!!int"
		} else if _, err := strconv.ParseUint(t.String(), 10, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if strings.ContainsRune(t, '\n') {
			n.Style = yaml.LiteralStyle // SQL and code read best as blocks
		}
		return n
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(v)}
}
