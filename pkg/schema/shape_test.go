package schema

import (
	"reflect"
	"testing"
)

func TestLocate(t *testing.T) {
	obj := compile(t, `{"type":"object","properties":{
		"prop":{"const":"prop"},
		"parent":{"type":"object","properties":{
			"opt-child":{"const":"opt-child"},"req-child":{"const":"req-child"},"40two":{"const":"forty-two"},
			"impossible":{"allOf":[{"type":"integer"},{"type":"string"}]}},"required":["req-child"]},
		"multi-type":{"type":["object","array"],"properties":{"child":{"const":"multi-type-child"}},"required":["child"]},
		"1":{"type":"object","properties":{"-":{"type":"object","properties":{"2":{"const":"int-prop"}},"required":["2"]}},"required":["-"]}},
		"required":["parent","1"],
		"patternProperties":{"pattern+":{"const":"pattern"}},
		"additionalProperties":{"const":"addl-prop"}}`).Shape()
	arr1 := compile(t, `{"type":"array","minItems":2,"maxItems":10,"items":[{"const":"zero"},{"const":"one"},{"const":"two"}],"additionalItems":{"const":"addl-item"}}`).Shape()
	arr2 := compile(t, `{"type":"array","prefixItems":[{"const":"0"},{"const":"1"}]}`).Shape()

	cases := []struct {
		shape  *Shape
		ptr    string
		value  string
		exists Exists
	}{
		{obj, "/1/-/2", "int-prop", MustExist},
		{obj, "/prop", "prop", MayExist},
		{obj, "/missing", "addl-prop", MayExist},
		{obj, "/parent/opt-child", "opt-child", MayExist},
		{obj, "/parent/req-child", "req-child", MustExist},
		{obj, "/parent/missing", "", Implicit},
		{obj, "/parent/40two", "forty-two", MayExist},
		{obj, "/parent/impossible", "", CannotExist},
		{obj, "/pattern", "pattern", MayExist},
		{obj, "/patternnnnnn", "pattern", MayExist},
		{obj, "/123", "addl-prop", MayExist},
		{obj, "/-", "addl-prop", MayExist},
		{obj, "/multi-type/child", "multi-type-child", MayExist},
		{obj, "/prop/deeper", "", CannotExist},
		{arr1, "/0", "zero", MustExist},
		{arr1, "/1", "one", MustExist},
		{arr1, "/2", "two", MayExist},
		{arr1, "/3", "addl-item", MayExist},
		{arr1, "/9", "addl-item", MayExist},
		{arr1, "/10", "addl-item", CannotExist},
		{arr1, "/-", "", CannotExist},
		{arr2, "/0", "0", MayExist},
		{arr2, "/1", "1", MayExist},
		{arr2, "/123", "", Implicit},
		{arr2, "/not-an-index", "", CannotExist},
		{arr2, "/-", "", CannotExist},
	}
	for _, c := range cases {
		sh, exists := c.shape.Locate(c.ptr)
		value := ""
		if len(sh.Enum) == 1 {
			value, _ = sh.Enum[0].(string)
		}
		if value != c.value || exists != c.exists {
			t.Errorf("Locate(%q) = (%q, %v), want (%q, %v)", c.ptr, value, exists, c.value, c.exists)
		}
	}

	type loc struct {
		ptr    string
		types  Types
		exists Exists
	}
	var got []loc
	for _, l := range obj.Locations() {
		got = append(got, loc{l.Ptr, l.Shape.Types, l.Exists})
	}
	want := []loc{
		{"", Object, MustExist},
		{"/1", Object, MustExist},
		{"/1/-", Object, MustExist},
		{"/1/-/2", String, MustExist},
		{"/multi-type", Object | Array, MayExist},
		{"/multi-type/child", String, MayExist},
		{"/parent", Object, MustExist},
		{"/parent/40two", String, MayExist},
		{"/parent/impossible", NoTypes, CannotExist},
		{"/parent/opt-child", String, MayExist},
		{"/parent/req-child", String, MustExist},
		{"/prop", String, MayExist},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Locations =\n%v\nwant\n%v", got, want)
	}
}

func TestShapeInference(t *testing.T) {
	// Each schema spells the same shape differently: locally, through $ref/allOf/anyOf/oneOf.
	for _, schema := range []string{
		`{"type":["string","array"],"title":"a-title","description":"a-description","reduce":{"strategy":"firstWriteWins"},
		  "contentEncoding":"base64","default":"john.doe@gmail.com","format":"email","secret":true}`,
		`{"$defs":{"aDef":{"type":["string","array"],"secret":true}},
		  "allOf":[{"title":"a-title"},{"description":"a-description"},{"reduce":{"strategy":"firstWriteWins"}},{"default":"john.doe@gmail.com"}],
		  "anyOf":[{"contentEncoding":"base64"},{"type":"object","contentEncoding":"other"}],
		  "oneOf":[{"format":"email"},{"type":"null"}],
		  "$ref":"#/$defs/aDef"}`,
	} {
		sh := compile(t, schema).Shape()
		if sh.Types != String|Array || sh.Title != "a-title" || sh.Description != "a-description" ||
			sh.Reduce == nil || sh.Reduce.Strategy != FirstWriteWins || sh.ContentEncoding != "base64" ||
			sh.Default != "john.doe@gmail.com" || !sh.HasDefault || sh.Format != "email" || !sh.Secret {
			t.Errorf("schema %s: shape %+v", schema, *sh)
		}
	}
}

func TestShapeReductions(t *testing.T) {
	cases := []struct {
		schema   string
		strategy Strategy // "" for none
		multiple bool
	}{
		{`{"oneOf":[{"reduce":{"strategy":"firstWriteWins"}},{"reduce":{"strategy":"firstWriteWins"}}]}`, FirstWriteWins, false},
		{`{"if":true,"then":{"reduce":{"strategy":"firstWriteWins"}},"else":{"reduce":{"strategy":"firstWriteWins"}}}`, FirstWriteWins, false},
		{`{"anyOf":[{"reduce":{"strategy":"firstWriteWins"}},{"reduce":{"strategy":"lastWriteWins"}}]}`, "", true},
		{`{"if":{"type":"string"},"then":{"reduce":{"strategy":"sum"}},"else":{"reduce":{"strategy":"merge"}}}`, "", true},
		{`{"oneOf":[{"reduce":{"strategy":"firstWriteWins"}},{}]}`, "", false},
		{`{"if":{"type":"string"},"then":{"reduce":{"strategy":"sum"}}}`, "", false},
		{`{"if":true,"then":{"reduce":{"strategy":"sum"}}}`, Sum, false},
		{`{"if":false,"then":{"reduce":{"strategy":"sum"}},"else":{"reduce":{"strategy":"merge"}}}`, Merge, false},
		{`{"reduce":{"strategy":"sum"},"allOf":[{"reduce":{"strategy":"merge"}}]}`, Sum, false},
	}
	for _, c := range cases {
		sh := compile(t, c.schema).Shape()
		got := Strategy("")
		if sh.Reduce != nil {
			got = sh.Reduce.Strategy
		}
		if got != c.strategy || sh.MultipleReduce != c.multiple {
			t.Errorf("%s: reduce %q multiple %v, want %q %v", c.schema, got, sh.MultipleReduce, c.strategy, c.multiple)
		}
	}
}

func TestShapeEnumsAndTypes(t *testing.T) {
	cases := []struct {
		schema string
		types  Types
		enum   []any
	}{
		{`{"enum":["b",42,"a"]}`, String | Integer, nil},
		{`{"enum":["b",42.5]}`, String | Fractional, nil},
		{`{"enum":[[42],true,null]}`, Array | Boolean | Null, nil},
		{`{"anyOf":[{"const":42},{"const":"fifty"}]}`, Integer | String, nil},
		{`{"allOf":[{"const":42},{"const":52}]}`, NoTypes, []any{}},
		{`{"type":"string","enum":["b",42,"a"]}`, String, []any{"b", "a"}},
		{`{"allOf":[{"type":"string"},{"enum":["a",42,"b"]}]}`, String, []any{"a", "b"}},
		{`{"type":"string","allOf":[{"enum":["a","b","c","d",1]},{"enum":["e","b","f","a",1]}]}`, String, []any{"a", "b"}},
		{`{"type":"integer","oneOf":[{"type":"string"},{"minimum":3}]}`, Integer, nil},
		{`{"type":["string","null"],"nullable":true}`, String | Null, nil},
	}
	for _, c := range cases {
		sh := compile(t, c.schema).Shape()
		if sh.Types != c.types {
			t.Errorf("%s: types %v, want %v", c.schema, sh.Types, c.types)
		}
		if c.enum != nil && !reflect.DeepEqual(sh.Enum, c.enum) {
			t.Errorf("%s: enum %v, want %v", c.schema, sh.Enum, c.enum)
		}
	}
}

func TestShapeObjects(t *testing.T) {
	// Patterns apply to named properties; properties on one side of an allOf meet the other's
	// additionalProperties; a union keeps only what both sides guarantee.
	sh := compile(t, `{"properties":{"foo":{"enum":["dropped","b"]},"bar":{"const":"c"}},
		"patternProperties":{"fo.+":{"const":"b"}},"required":["bar"],
		"allOf":[{"properties":{"baz":{"type":"integer"}},"additionalProperties":{"type":["string","integer"]}}],
		"oneOf":[{"properties":{"u":{"type":"string","maxLength":3}},"required":["u"]},{"properties":{"u":{"type":"string","maxLength":5}}}]}`).Shape()
	foo, _ := sh.Locate("/foo")
	if !reflect.DeepEqual(foo.Enum, []any{"b"}) {
		t.Errorf("/foo enum %v", foo.Enum)
	}
	bar, exists := sh.Locate("/bar")
	if bar.Types != String || exists != MayExist { // root type is unconstrained, so nothing must exist
		t.Errorf("/bar: %v %v", bar.Types, exists)
	}
	u, _ := sh.Locate("/u")
	if u.MaxLength != 5 || u.Types != String {
		t.Errorf("/u: %+v", *u)
	}
	if p := sh.property("u"); p == nil || p.Required {
		t.Errorf("/u required in one branch only must not be required: %+v", p)
	}
	if addl := sh.AdditionalProperties; addl == nil || addl.Types != String|Integer {
		t.Errorf("additionalProperties %+v", addl)
	}
}

func TestShapeRecursiveRef(t *testing.T) {
	sh := compile(t, `{"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/$defs/node"}}}},"$ref":"#/$defs/node"}`).Shape()
	v, exists := sh.Locate("/v")
	if v.Types != Integer || exists != MayExist {
		t.Errorf("/v: %v %v", v.Types, exists)
	}
	// As in Flow, the recursion is cut at the first repeated $ref: /next is unconstrained.
	next, exists := sh.Locate("/next/v")
	if exists != Implicit || next.Types != AnyTypes {
		t.Errorf("a cut recursion must be unconstrained: %v %v", next.Types, exists)
	}
}

func TestTypesString(t *testing.T) {
	cases := map[Types]string{
		Integer | String:         "integer, string",
		Number:                   "number",
		Number | Null:            "null, number",
		Fractional:               "fractional",
		NoTypes:                  "nothing",
		Object | Array | Boolean: "array, boolean, object",
	}
	for ty, want := range cases {
		if got := ty.String(); got != want {
			t.Errorf("%08b: %q, want %q", ty, got, want)
		}
	}
}
