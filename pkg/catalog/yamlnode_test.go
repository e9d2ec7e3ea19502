package catalog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestYAMLToJSONValues(t *testing.T) {
	cases := []struct {
		name, yaml string
		merge      bool
		want       string // compact JSON
		err        string
	}{
		{"scalars", `{a: 1, b: -2.5e3, c: true, d: null, e: "x", f: 2024-01-01, g: ~}`, true,
			`{"a":1,"b":-2.5e3,"c":true,"d":null,"e":"x","f":"2024-01-01","g":null}`, ""},
		{"big integers keep their digits", `{n: 123456789012345678901234567890}`, true, `{"n":123456789012345678901234567890}`, ""},
		{"yaml-only number spellings", `{h: 0x1F, o: 0o17, p: +5, u: 1_000}`, true, `{"h":31,"o":15,"p":5,"u":1000}`, ""},
		{"JSON is YAML", `{"a": [1, {"b": "c"}]}`, true, `{"a":[1,{"b":"c"}]}`, ""},
		{"anchors and aliases", "a: &x {k: 1}\nb: *x", true, `{"a":{"k":1},"b":{"k":1}}`, ""},
		{"merge keys in catalogs", "base: &b {k: 1, j: 2}\nc: {<<: *b, j: 3}", true, `{"base":{"j":2,"k":1},"c":{"j":3,"k":1}}`, ""},
		{"merge list", "a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b]}", true, `{"a":{"x":1},"b":{"y":2},"c":{"x":1,"y":2}}`, ""},
		{"no merge keys in schemas", "a: &a {x: 1}\nc: {<<: *a}", false, `{"a":{"x":1},"c":{"<<":{"x":1}}}`, ""},
		{"empty document", "", true, `null`, ""},
		{"duplicate keys", "a: 1\na: 2", true, "", `duplicate key "a"`},
		{"infinity", "a: .inf", true, "", "no JSON representation"},
		{"complex key", "? [a]\n: 1", true, "", "mapping keys must be strings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, err := parseYAML([]byte(c.yaml))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			v, err := newConverter(c.merge).value(root)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want any
			dec := json.NewDecoder(strings.NewReader(c.want))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, want) {
				t.Fatalf("got %#v, want %#v", v, want)
			}
		})
	}
}

func TestYAMLSyntaxErrorLine(t *testing.T) {
	for doc, line := range map[string]int{
		"a: 1\nb: [1, 2\nc: 3\n":                      2, // where the unclosed list starts
		"a: 1\nb: 2\n  c: 3\n":                        3,
		"a: 1\n\tb: 2\n":                              2,
		"a: 1\nb: &x 1\nc: *y\n":                      3, // the parser gives no line for this one
		"x: 1\ncollections:\n  a/b:\n    key: [/id\n": 4,
	} {
		_, err := parseYAML([]byte(doc))
		pe, ok := err.(*parseError)
		if !ok || pe.Line != line {
			t.Errorf("parseYAML(%q) = %#v, want a parseError at line %d", doc, err, line)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	doc := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := string(rune('b' + i))
		doc += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	root, err := parseYAML([]byte(doc))
	if err != nil {
		t.Skipf("the YAML parser itself refused it: %v", err)
	}
	if _, err := newConverter(true).value(root); err == nil || !strings.Contains(err.Error(), "alias") {
		t.Fatalf("error = %v, want the alias expansion limit", err)
	}
}

func TestLocate(t *testing.T) {
	root, err := parseYAML([]byte("a:\n  b: [x, {c: 1}]\n  'd/e': 2\nm: &m {k: 5}\nn:\n  <<: *m\n"))
	if err != nil {
		t.Fatal(err)
	}
	for ptr, want := range map[string][2]int{
		"":           {1, 1},
		"/a/b/1/c":   {2, 14},
		"/a/d~1e":    {3, 10},
		"/a/b/9":     {2, 6}, // past the end: the deepest existing value
		"/n/k":       {4, 11},
		"/a/missing": {2, 3},
	} {
		n := locate(root, ptr)
		if got := [2]int{n.Line, n.Column}; got != want {
			t.Errorf("locate(%q) = %v, want %v", ptr, got, want)
		}
	}
}
