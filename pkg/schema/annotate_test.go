package schema

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// flatten lists "ptr=strategy" for every location of doc that has a strategy, sorted by pointer.
// It reads annotations as reductions do (Child and Strategy), so a tree shared by all documents and
// a per-document tree flatten alike.
func flatten(a *Annotation, doc any) []string {
	var out []string
	var walk func(a *Annotation, v any, ptr string)
	walk = func(a *Annotation, v any, ptr string) {
		if a == nil {
			return
		}
		if a.Strategy() != nil {
			out = append(out, ptr+"="+string(a.Strategy().Strategy))
		}
		switch t := v.(type) {
		case map[string]any:
			for name, child := range t {
				walk(a.Child(name), child, ptr+"/"+escapeToken(name))
			}
		case []any:
			for i, item := range t {
				walk(a.Child(strconv.Itoa(i)), item, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(a, doc, "")
	sort.Slice(out, func(i, j int) bool {
		pi, _, _ := strings.Cut(out[i], "=")
		pj, _, _ := strings.Cut(out[j], "=")
		return pi < pj
	})
	return out
}

const resetCounter = `{"type":"object","required":["key"],"properties":{"key":{"type":"string"}},
	"oneOf":[
	  {"properties":{"action":{"const":"reset"}},"required":["action"],"reduce":{"strategy":"lastWriteWins"}},
	  {"properties":{"action":{"const":"sum","reduce":{"strategy":"firstWriteWins"}},"value":{"reduce":{"strategy":"sum"}}},
	   "reduce":{"strategy":"merge"}}]}`

func TestValidateReduce(t *testing.T) {
	cases := []struct {
		name, schema, doc string
		want              string // comma-separated ptr=strategy, sorted
	}{
		{"no annotations", `{"type":"object"}`, `{"a":1}`, ""},
		{"merge root with sum child", `{"reduce":{"strategy":"merge"},"properties":{"key":{"type":"string"},"value":{"type":"number","reduce":{"strategy":"sum"}}}}`,
			`{"key":"k","value":5}`, "=merge,/value=sum"},
		{"absent property contributes nothing", `{"reduce":{"strategy":"merge"},"properties":{"value":{"reduce":{"strategy":"sum"}}}}`,
			`{}`, "=merge"},
		{"reset counter: sum branch", resetCounter, `{"key":"k","action":"sum","value":5}`, "=merge,/action=firstWriteWins,/value=sum"},
		{"reset counter: reset branch", resetCounter, `{"key":"k","action":"reset","value":0}`, "=lastWriteWins"},
		{"if selects then", `{"if":{"properties":{"k":{"const":"a"}},"required":["k"]},"then":{"reduce":{"strategy":"sum"}},"else":{"reduce":{"strategy":"append"}}}`,
			`{"k":"a"}`, "=sum"},
		{"failed if selects else", `{"if":{"properties":{"k":{"const":"a"}},"required":["k"]},"then":{"reduce":{"strategy":"sum"}},"else":{"reduce":{"strategy":"append"}}}`,
			`{"k":"b"}`, "=append"},
		{"if annotations count when it passes", `{"if":{"reduce":{"strategy":"merge"},"type":"object"},"then":{"properties":{"n":{"reduce":{"strategy":"sum"}}}}}`,
			`{"n":1}`, "=merge,/n=sum"},
		{"if annotations do not count when it fails", `{"if":{"reduce":{"strategy":"merge"},"type":"array"}}`, `{"n":1}`, ""},
		{"not contributes nothing", `{"not":{"type":"string","reduce":{"strategy":"sum"}}}`, `1`, ""},
		{"anyOf: every valid branch", `{"anyOf":[{"type":"integer","reduce":{"strategy":"sum"}},{"minimum":0,"reduce":{"strategy":"sum"}},{"type":"string","reduce":{"strategy":"append"}}]}`,
			`3`, "=sum"},
		{"allOf and ref", `{"$defs":{"m":{"reduce":{"strategy":"merge"}}},"$ref":"#/$defs/m","allOf":[{"properties":{"a":{"reduce":{"strategy":"maximize"}}}}]}`,
			`{"a":1}`, "=merge,/a=maximize"},
		{"items, prefixItems and additionalProperties", `{"reduce":{"strategy":"merge"},"properties":{
			"arr":{"reduce":{"strategy":"merge"},"prefixItems":[{"reduce":{"strategy":"sum"}}],"items":{"reduce":{"strategy":"maximize"}}},
			"map":{"reduce":{"strategy":"merge"},"patternProperties":{"^p":{"reduce":{"strategy":"sum"}}},"additionalProperties":{"reduce":{"strategy":"minimize"}}}}}`,
			`{"arr":[1,2,3],"map":{"px":1,"q":2}}`, "=merge,/arr=merge,/arr/0=sum,/arr/1=maximize,/arr/2=maximize,/map=merge,/map/px=sum,/map/q=minimize"},
		{"2019 tuple and additionalItems", `{"items":[{"reduce":{"strategy":"sum"}}],"additionalItems":{"reduce":{"strategy":"append"}}}`,
			`[1,[2]]`, "/0=sum,/1=append"},
		{"identical strategies agree", `{"allOf":[{"reduce":{"strategy":"sum"}},{"reduce":{"strategy":"sum"}}]}`, `1`, "=sum"},
		{"recursive schema", `{"$defs":{"n":{"reduce":{"strategy":"merge"},"properties":{"c":{"$ref":"#/$defs/n"},"v":{"reduce":{"strategy":"sum"}}}}},"$ref":"#/$defs/n"}`,
			`{"v":1,"c":{"v":2,"c":{"v":3}}}`, "=merge,/c=merge,/c/c=merge,/c/c/v=sum,/c/v=sum,/v=sum"},
		{"dependentSchemas", `{"dependentSchemas":{"a":{"reduce":{"strategy":"merge"}}}}`, `{"a":1}`, "=merge"},
		{"dependentSchemas absent", `{"dependentSchemas":{"a":{"reduce":{"strategy":"merge"}}}}`, `{"b":1}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, doc := compile(t, c.schema), decode(t, c.doc)
			assertFastAgrees(t, s, doc)
			ann, err := s.ValidateReduce(doc)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(flatten(ann, doc), ","); got != c.want {
				t.Errorf("annotations %q, want %q", got, c.want)
			}
			// Where the schema has a shared tree, the per-document pass must read the same.
			perDoc, err := annotationsPerDocument(s, doc, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(flatten(perDoc, doc), ","); got != c.want {
				t.Errorf("per-document annotations %q, want %q", got, c.want)
			}
		})
	}
}

func TestValidateReduceConflictsAndErrors(t *testing.T) {
	s := compile(t, `{"reduce":{"strategy":"merge"},"properties":{"a":{
		"allOf":[{"reduce":{"strategy":"sum"}},{"if":{"type":"integer"},"then":{"reduce":{"strategy":"maximize"}}}]}}}`)
	if _, err := s.ValidateReduce(decode(t, `{"a":1.5}`)); err != nil {
		t.Errorf("no conflict when the if fails: %v", err)
	}
	_, err := s.ValidateReduce(decode(t, `{"a":1}`))
	if err == nil || err.Error() != "conflicting reduce strategies at /a: sum vs maximize" {
		t.Errorf("conflict error = %v", err)
	}
	rootConflict := compile(t, `{"allOf":[{"reduce":{"strategy":"merge","key":["/k"]}},{"reduce":{"strategy":"merge"}}]}`)
	if _, err := rootConflict.ValidateReduce(decode(t, `[]`)); err == nil || !strings.Contains(err.Error(), "at the document root: merge {key: [/k]} vs merge") {
		t.Errorf("options conflict = %v", err)
	}
	_, err = compile(t, resetCounter).ValidateReduce(decode(t, `{"action":"sum"}`))
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Errorf("invalid document: %v", err)
	}
}

// A number beyond f64's range is valid to the library, which reads it exactly, but no reduction
// can hold it (Flow refuses it when parsing, the Combiner when adding). The annotation pass must
// not read it as something else (±Inf, which the library sees as null when a branch's verdict
// rests on it) and hand back another branch's annotations: it is an error.
func TestValidateReduceRefusesNumbersOutOfRange(t *testing.T) {
	s := compile(t, `{"type":"object","oneOf":[
		{"properties":{"kind":{"const":"a"},"v":{"reduce":{"strategy":"sum"}}},"required":["kind"]},
		{"properties":{"kind":{"type":"number","minimum":0.1}},"required":["kind"],
		 "additionalProperties":{"reduce":{"strategy":"append"}}}]}`)
	doc := decode(t, `{"kind":1e400,"v":[1]}`)
	if err := s.Validate(doc); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	ann, err := s.ValidateReduce(doc)
	if err == nil || !strings.Contains(err.Error(), "1e400") {
		t.Fatalf("ValidateReduce = %v (v: %v), %v; want an error naming 1e400", ann, ann.Child("v").Strategy(), err)
	}
	if ann, err := s.ValidateReduce(decode(t, `{"kind":1e300,"v":[1]}`)); err != nil || ann.Child("v").Strategy().Strategy != Append {
		t.Fatalf("in range: %v, %v", ann, err)
	}
}
