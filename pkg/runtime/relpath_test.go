package runtime

import (
	"reflect"
	"testing"
)

func TestResolveRelativePath(t *testing.T) {
	const scope = "file:///home/me/project/flow.yaml"
	cases := []struct {
		name  string
		value any
		scope string
		want  any
	}{
		{"relative file", map[string]any{"path": "data/in.jsonl", "format": "jsonl"}, scope,
			map[string]any{"path": "/home/me/project/data/in.jsonl", "format": "jsonl"}},
		{"relative glob", map[string]any{"path": "data/*.csv"}, scope, map[string]any{"path": "/home/me/project/data/*.csv"}},
		{"parent directory", map[string]any{"path": "../out.db"}, scope, map[string]any{"path": "/home/me/out.db"}},
		{"absolute", map[string]any{"path": "/tmp/out.db"}, scope, map[string]any{"path": "/tmp/out.db"}},
		{"file URL", map[string]any{"path": "file://out.db"}, scope, map[string]any{"path": "file://out.db"}},
		{"in-memory SQLite", map[string]any{"path": ":memory:"}, scope, map[string]any{"path": ":memory:"}},
		{"no path", map[string]any{"table": "t"}, scope, map[string]any{"table": "t"}},
		{"path not a string", map[string]any{"path": 3.0}, scope, map[string]any{"path": 3.0}},
		{"not an object", "a string", scope, "a string"},
		{"catalog over HTTP", map[string]any{"path": "in.jsonl"}, "https://example.com/flow.yaml", map[string]any{"path": "in.jsonl"}},
		{"no scope", map[string]any{"path": "in.jsonl"}, "", map[string]any{"path": "in.jsonl"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := resolveRelativePath(c.value, c.scope); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	// The catalog's own value is never modified.
	in := map[string]any{"path": "x"}
	resolveRelativePath(in, scope)
	if in["path"] != "x" {
		t.Errorf("the input was modified: %v", in)
	}
}
