package connector

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
		{"dot segments cleaned", map[string]any{"path": "./a/../b.db"}, scope, map[string]any{"path": "/home/me/project/b.db"}},
		{"config in its own file", map[string]any{"path": "in.jsonl"}, "file:///home/me/project/configs/file.yaml",
			map[string]any{"path": "/home/me/project/configs/in.jsonl"}},
		{"absolute", map[string]any{"path": "/tmp/out.db"}, scope, map[string]any{"path": "/tmp/out.db"}},
		{"file URL", map[string]any{"path": "file://out.db"}, scope, map[string]any{"path": "file://out.db"}},
		{"in-memory SQLite", map[string]any{"path": ":memory:"}, scope, map[string]any{"path": ":memory:"}},
		{"empty path", map[string]any{"path": ""}, scope, map[string]any{"path": ""}},
		{"no path", map[string]any{"table": "t"}, scope, map[string]any{"table": "t"}},
		{"path not a string", map[string]any{"path": 3.0}, scope, map[string]any{"path": 3.0}},
		{"not an object", "a string", scope, "a string"},
		{"nil", nil, scope, nil},
		{"catalog over HTTP", map[string]any{"path": "in.jsonl"}, "https://example.com/flow.yaml", map[string]any{"path": "in.jsonl"}},
		{"no scope", map[string]any{"path": "in.jsonl"}, "", map[string]any{"path": "in.jsonl"}},
		{"unparsable scope", map[string]any{"path": "in.jsonl"}, "file://%zz", map[string]any{"path": "in.jsonl"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ResolveRelativePath(c.value, c.scope); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	// The catalog's own value is never modified.
	in := map[string]any{"path": "x"}
	ResolveRelativePath(in, scope)
	if in["path"] != "x" {
		t.Errorf("the input was modified: %v", in)
	}
}
