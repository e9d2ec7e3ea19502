package doc

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

var schemaMerge = strat(s("jsonSchemaMerge"))

// Flow's own sequences (crates/doc/src/reduce/schema.rs), translated.
func TestJSONSchemaMergeFlowCases(t *testing.T) {
	t.Run("merge", func(t *testing.T) {
		runSteps(t, []step{
			{rhs: `{"type":"string","maxLength":5,"minLength":5}`, ann: schemaMerge, want: `{"type":"string","maxLength":5,"minLength":5}`},
			{rhs: `"oops!"`, ann: schemaMerge, wantErr: ErrJSONSchemaMerge},
			{rhs: `{"type":"foo"}`, ann: schemaMerge, wantErr: ErrJSONSchemaMerge},
			{rhs: `{"type":"string","minLength":8,"maxLength":10}`, ann: schemaMerge,
				want: `{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"string","minLength":5,"maxLength":10}`},
		})
	})
	t.Run("float bounds win ties", func(t *testing.T) {
		const d = `"$schema":"https://json-schema.org/draft/2019-09/schema",`
		runSteps(t, []step{
			{rhs: `{"type":"integer","maximum":5,"minimum":4}`, ann: schemaMerge, want: `{"type":"integer","maximum":5,"minimum":4}`},
			{rhs: `{"type":"integer","maximum":5.0,"minimum":4.0}`, ann: schemaMerge, want: `{` + d + `"type":"integer","maximum":5.0,"minimum":4.0}`},
			{rhs: `{"type":"integer","maximum":5,"minimum":4}`, ann: schemaMerge, want: `{` + d + `"type":"integer","maximum":5.0,"minimum":4.0}`},
			{rhs: `{"type":"integer","maximum":6,"minimum":3}`, ann: schemaMerge, want: `{` + d + `"type":"integer","maximum":6,"minimum":3}`},
		})
	})
	t.Run("generation reset", func(t *testing.T) {
		str := func(min, max int, gen string) string {
			return fmt.Sprintf(`{"type":"string","minLength":%d,"maxLength":%d%s}`, min, max, gen)
		}
		want := func(min, max int, gen string) string {
			return fmt.Sprintf(`{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"string","minLength":%d,"maxLength":%d,"x-collection-generation-id":"%s"}`, min, max, gen)
		}
		g1, g2, g3 := "0011223344556677", "1122334455667788", "2233445566778899"
		id := func(g string) string { return `,"x-collection-generation-id":"` + g + `"` }
		runSteps(t, []step{
			{rhs: str(5, 5, ""), ann: schemaMerge, want: str(5, 5, "")},
			{rhs: str(6, 6, id(g1)), ann: schemaMerge, want: want(5, 6, g1)}, // kept when the LHS has none
			{rhs: str(4, 4, id(g1)), ann: schemaMerge, want: want(4, 6, g1)},
			{rhs: str(10, 10, id(g2)), ann: schemaMerge, want: want(10, 10, g2)}, // reset
			{rhs: str(1, 1, id(g1)), ann: schemaMerge, want: want(10, 10, g2)},   // stale: discarded
			{rhs: str(5, 5, id(g2)), ann: schemaMerge, want: want(5, 10, g2)},
			{rhs: str(100, 100, id(g3)), ann: schemaMerge, want: want(100, 100, g3)},
			{rhs: str(200, 200, ""), ann: schemaMerge, want: want(100, 200, g3)}, // kept when the RHS has none
			{rhs: str(50, 50, `,"x-collection-generation-id":null`), ann: schemaMerge, want: want(50, 200, g3)},
		})
	})
}

// Union rules of Flow's shape/union.rs, one location at a time.
func TestJSONSchemaMergeUnion(t *testing.T) {
	const d = `"$schema":"https://json-schema.org/draft/2019-09/schema"`
	cases := []struct{ name, lhs, rhs, want string }{
		{"types widen, integer and number",
			`{"type":"integer"}`, `{"type":["number","null"]}`, `{` + d + `,"type":["number","null"]}`},
		{"an untyped side admits every type",
			`{"type":"string"}`, `{}`, `{` + d + `}`},
		{"false is the identity",
			`false`, `{"type":"string","maxLength":3}`, `{` + d + `,"type":"string","maxLength":3}`},
		{"numeric bound on one side only is dropped",
			`{"type":"integer","minimum":1,"maximum":9}`, `{"type":"integer","minimum":-3}`, `{` + d + `,"type":"integer","minimum":-3}`},
		{"string facets of a side without strings come from the other",
			`{"type":"string","format":"date-time","maxLength":20}`, `{"type":"integer","minimum":0,"maximum":3}`,
			`{` + d + `,"type":["integer","string"],"format":"date-time","maxLength":20,"minimum":0,"maximum":3}`},
		{"formats must agree",
			`{"type":"string","format":"date"}`, `{"type":"string","format":"date-time"}`, `{` + d + `,"type":"string"}`},
		{"integer and number formats generalise",
			`{"type":"string","format":"integer"}`, `{"type":"string","format":"number"}`, `{` + d + `,"type":"string","format":"number"}`},
		{"enums union, sorted; an unconstrained side drops them",
			`{"enum":["b","a"]}`, `{"enum":[1,"a"]}`, `{` + d + `,"type":["integer","string"],"enum":[1,"a","b"]}`},
		{"enum against no enum",
			`{"enum":["a"]}`, `{"type":"string"}`, `{` + d + `,"type":"string"}`},
		{"required only where both require",
			`{"type":"object","additionalProperties":false,"required":["a","b"],"properties":{"a":{"type":"string"},"b":{"type":"integer"}}}`,
			`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string","maxLength":3},"b":{"type":"integer"}}}`,
			`{` + d + `,"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"integer"}}}`},
		{"a property of one side unions with the other's additionalProperties",
			`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string","maxLength":1}}}`,
			`{"type":"object","additionalProperties":false,"required":["b"],"properties":{"b":{"type":"boolean"}}}`,
			`{` + d + `,"type":"object","additionalProperties":false,"properties":{"a":{"type":"string","maxLength":1},"b":{"type":"boolean"}}}`},
		{"a property against unconstrained additional properties is dropped",
			`{"type":"object","properties":{"a":{"type":"string"}}}`,
			`{"type":"object","properties":{"b":{"type":"string"}}}`,
			`{` + d + `,"type":"object"}`},
		{"a property against a matching pattern; a pattern against additionalProperties",
			`{"type":"object","additionalProperties":false,"properties":{"n1":{"type":"integer","minimum":5}}}`,
			`{"type":"object","patternProperties":{"^n":{"type":"integer","minimum":0}}}`,
			`{` + d + `,"type":"object","properties":{"n1":{"type":"integer","minimum":0}},"patternProperties":{"^n":{"type":"integer","minimum":0}}}`},
		{"items and array bounds",
			`{"type":"array","minItems":2,"maxItems":4,"items":{"type":"string"}}`,
			`{"type":"array","minItems":1,"items":{"type":"integer"}}`,
			`{` + d + `,"type":"array","minItems":1,"items":{"type":["integer","string"]}}`},
		{"tuples union item-wise, the shorter extended by its additionalItems",
			`{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"null"}}`,
			`{"type":"array","items":[{"type":"integer"},{"type":"boolean"}]}`,
			`{` + d + `,"type":"array","items":[{"type":["integer","string"]},{"type":["boolean","null"]}]}`},
		{"title, description, default and annotations kept only when equal",
			`{"title":"T","description":"D1","default":1,"x-a":1,"x-b":2,"secret":true}`,
			`{"title":"T","description":"D2","default":1,"x-a":1,"x-b":3,"secret":true}`,
			`{` + d + `,"title":"T","default":1,"x-a":1,"secret":true}`},
		{"nested objects recurse",
			`{"type":"object","additionalProperties":false,"required":["o"],"properties":{"o":{"type":"object","additionalProperties":false,"required":["x"],"properties":{"x":{"type":"integer","minimum":1,"maximum":1}}}}}`,
			`{"type":"object","additionalProperties":false,"required":["o"],"properties":{"o":{"type":"object","additionalProperties":false,"required":["x"],"properties":{"x":{"type":"integer","minimum":7,"maximum":7}}}}}`,
			`{` + d + `,"type":"object","additionalProperties":false,"required":["o"],"properties":{"o":{"type":"object","additionalProperties":false,"required":["x"],"properties":{"x":{"type":"integer","minimum":1,"maximum":7}}}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Reduce(mustDecode(t, c.lhs), mustDecode(t, c.rhs), true, schemaMerge, false)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := toJSON(out), toJSON(mustDecode(t, c.want)); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestJSONSchemaMergeErrors(t *testing.T) {
	cases := []struct{ lhs, rhs, wantMsg string }{
		{`{}`, `"oops!"`, "expected a schema"},
		{`{}`, `{"type":"foo"}`, `at keyword "type" of the root: expected a type or array of types: invalid type name "foo"`},
		{`{}`, `{"properties":{"a":{"maxLength":-1}}}`, `at keyword "maxLength" of /properties/a`},
		{`{}`, `{"required":"a"}`, `keyword "required"`},
		{`{}`, `{"patternProperties":{"(":{}}}`, "invalid regular expression"},
		{`[]`, `{}`, "(the LHS)"},
	}
	for _, c := range cases {
		_, err := Reduce(mustDecode(t, `{"s":`+c.lhs+`}`), mustDecode(t, `{"s":`+c.rhs+`}`), true,
			strat(s("merge"), "s", schemaMerge), false)
		var re *ReduceError
		if !errors.As(err, &re) || !errors.Is(err, ErrJSONSchemaMerge) || re.Ptr != "/s" {
			t.Fatalf("%s · %s: error %v, want a ReduceError at /s wrapping ErrJSONSchemaMerge", c.lhs, c.rhs, err)
		}
		if !strings.Contains(err.Error(), c.wantMsg) {
			t.Errorf("%s · %s: error %q does not say %q", c.lhs, c.rhs, err, c.wantMsg)
		}
	}
}

// The complexity limit folds the deepest, last properties into additionalProperties (Flow's
// limits.rs test_field_count_limits_nested, as a merge of two inferred schemas).
func TestJSONSchemaMergeComplexityLimit(t *testing.T) {
	props := func(from, to int) string {
		var b strings.Builder
		for i := from; i < to; i++ {
			if i > from {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%03d":{"type":"integer","minimum":%d,"maximum":%d}`, i, i, i)
		}
		return b.String()
	}
	lhs := `{"type":"object","additionalProperties":false,"properties":{` + props(0, 6) + `}}`
	rhs := `{"type":"object","additionalProperties":false,"x-complexity-limit":4,"properties":{` + props(3, 9) + `}}`
	out, err := Reduce(mustDecode(t, lhs), mustDecode(t, rhs), true, schemaMerge, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$schema":"https://json-schema.org/draft/2019-09/schema","type":"object",` +
		`"properties":{` + props(0, 4) + `},"additionalProperties":{"type":"integer","minimum":4,"maximum":8}}`
	if got := toJSON(out); got != toJSON(mustDecode(t, want)) {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// Past the depth limit, nesting folds even when the count is within the limit.
	deep := `{"type":"integer"}`
	for range depthLimit + 2 {
		deep = `{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":` + deep + `}}`
	}
	out, err = Reduce(mustDecode(t, deep), mustDecode(t, deep), true, schemaMerge, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(toJSON(out), `"properties"`); got != depthLimit {
		t.Errorf("merged schema nests %d properties, want the depth limit %d: %s", got, depthLimit, toJSON(out))
	}
}

// FuzzJSONSchemaMerge: any two JSON values either merge into a schema that merges again with
// itself unchanged, or fail with ErrJSONSchemaMerge; nothing panics.
func FuzzJSONSchemaMerge(f *testing.F) {
	f.Add(`{"type":"string","maxLength":5}`, `{"type":["string","null"],"minLength":2}`)
	f.Add(`{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":false}`, `{"type":"object","patternProperties":{"^a":{}}}`)
	f.Add(`{"type":"array","items":[{"type":"string"}],"additionalItems":false}`, `{"type":"array","items":{"enum":[1,2]}}`)
	f.Add(`true`, `{"x-collection-generation-id":"01","x-complexity-limit":1}`)
	f.Fuzz(func(t *testing.T, lhsJSON, rhsJSON string) {
		lhs, err1 := Decode([]byte(lhsJSON))
		rhs, err2 := Decode([]byte(rhsJSON))
		if err1 != nil || err2 != nil {
			return
		}
		out, err := Reduce(lhs, rhs, true, schemaMerge, false)
		if err != nil {
			if !errors.Is(err, ErrJSONSchemaMerge) {
				t.Fatalf("error %v does not wrap ErrJSONSchemaMerge", err)
			}
			return
		}
		again, err := Reduce(out, out, true, schemaMerge, false)
		if err != nil {
			t.Fatalf("merged schema %s does not merge with itself: %v", toJSON(out), err)
		}
		if toJSON(again) != toJSON(out) {
			t.Fatalf("merging %s with itself gave %s", toJSON(out), toJSON(again))
		}
	})
}
