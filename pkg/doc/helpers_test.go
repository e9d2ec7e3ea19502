package doc

import (
	"testing"

	"github.com/flowctl/flowctl/pkg/schema"
)

// mustDecode parses JSON test fixtures.
func mustDecode(t testing.TB, s string) any {
	v, err := Decode([]byte(s))
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatalf("decoding %s: %v", s, err)
	}
	return v
}

func toJSON(v any) string { return string(Append(nil, v)) }

// strat builds an annotation: a strategy with options, and children as token/annotation pairs.
func strat(red map[string]any, children ...any) *schema.Annotation {
	a := &schema.Annotation{}
	if red != nil {
		r, err := schema.ParseReduce(red)
		if err != nil {
			panic(err)
		}
		a.Reduce = r
	}
	for i := 0; i < len(children); i += 2 {
		if a.Children == nil {
			a.Children = map[string]*schema.Annotation{}
		}
		a.Children[children[i].(string)] = children[i+1].(*schema.Annotation)
	}
	return a
}

func s(name string, kv ...any) map[string]any {
	m := map[string]any{"strategy": name}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}
