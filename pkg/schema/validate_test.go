package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidateKeywords(t *testing.T) {
	cases := []struct {
		name, schema, doc string
		valid             bool
	}{
		{"type ok", `{"type":"integer"}`, `5`, true},
		{"type integer rejects fraction", `{"type":"integer"}`, `5.5`, false},
		{"integral float is an integer", `{"type":"integer"}`, `5.0`, true},
		{"required", `{"required":["a"]}`, `{"b":1}`, false},
		{"defs ref", `{"$defs":{"p":{"minimum":3}},"properties":{"a":{"$ref":"#/$defs/p"}}}`, `{"a":2}`, false},
		{"2019 definitions ref", `{"definitions":{"p":{"type":"string"}},"$ref":"#/definitions/p"}`, `"x"`, true},
		{"2019 definitions ref fails", `{"definitions":{"p":{"type":"string"}},"$ref":"#/definitions/p"}`, `1`, false},
		{"2019 items tuple", `{"items":[{"type":"string"},{"type":"integer"}]}`, `["a",1,true]`, true},
		{"2019 items tuple fails", `{"items":[{"type":"string"},{"type":"integer"}]}`, `[1,"a"]`, false},
		{"2019 additionalItems", `{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}`, `["a",1,2]`, true},
		{"2019 additionalItems fails", `{"items":[{"type":"string"}],"additionalItems":false}`, `["a",1]`, false},
		{"additionalItems ignored beside items schema", `{"items":{"type":"string"},"additionalItems":false}`, `["a","b"]`, true},
		{"prefixItems", `{"prefixItems":[{"type":"string"}],"items":false}`, `["a",1]`, false},
		{"recursiveRef", `{"$recursiveAnchor":true,"type":"object","properties":{"c":{"$recursiveRef":"#"}},"additionalProperties":false}`, `{"c":{"c":{}}}`, true},
		{"recursiveRef fails deep", `{"$recursiveAnchor":true,"type":"object","properties":{"c":{"$recursiveRef":"#"}},"additionalProperties":false}`, `{"c":{"c":{"x":1}}}`, false},
		{"dynamicRef", `{"$dynamicAnchor":"n","type":"object","properties":{"c":{"$dynamicRef":"#n"}},"additionalProperties":false}`, `{"c":{"x":1}}`, false},
		{"unevaluatedProperties", `{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}`, `{"a":1,"b":2}`, false},
		{"unevaluatedProperties ok", `{"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false}`, `{"a":1}`, true},
		{"if then else", `{"if":{"properties":{"k":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"k":"b","y":1}`, true},
		{"if then else fails", `{"if":{"properties":{"k":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"k":"a","y":1}`, false},
		{"dependentRequired", `{"dependentRequired":{"a":["b"]}}`, `{"a":1}`, false},
		{"dependentSchemas", `{"dependentSchemas":{"a":{"required":["b"]}}}`, `{"a":1,"b":2}`, true},
		{"nullable", `{"type":"string","nullable":true}`, `null`, true},
		{"not nullable", `{"type":"string"}`, `null`, false},
		{"flow annotations accepted", `{"secret":true,"airbyte_secret":true,"multiline":true,"advanced":true,"order":1,"discriminator":{"propertyName":"k"},"x-foo":{"a":1},"redact":{"strategy":"block"},"reduce":{"strategy":"merge"}}`, `{}`, true},
		{"enum numbers by value", `{"enum":[1,"a"]}`, `1.0`, true},
		{"big integer", `{"type":"integer","maximum":18446744073709551615}`, `18446744073709551615`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, doc := compile(t, c.schema), decode(t, c.doc)
			assertFastAgrees(t, s, doc)
			err := s.Validate(doc)
			if (err == nil) != c.valid {
				t.Fatalf("Validate(%s) = %v, want valid=%v", c.doc, err, c.valid)
			}
			if err != nil {
				var verr *ValidationError
				if !errors.As(err, &verr) || len(verr.Violations) == 0 {
					t.Fatalf("error %T %v is not a *ValidationError with violations", err, err)
				}
			}
		})
	}
}

func TestFormats(t *testing.T) {
	cases := []struct {
		format, value string
		valid         bool
	}{
		{"date", "2022-09-11", true},
		{"date", "2022-09-11T10:31:25.123Z", false},
		{"date-time", "2022-09-11T10:31:25.123Z", true},
		{"date-time", "2022-09-11T10:31:25+00:00", true},
		{"date-time", "10:31:25.123Z", false},
		{"datetime", "2022-09-11T10:31:25.123Z", true},
		{"datetime", "2022-09-11", false},
		{"time", "10:31:25.123Z", true},
		{"email", "john@doe.com", true},
		{"email", "john at doe.com", false},
		{"hostname", "hostname.com", true},
		{"hostname", "hostname dot com", false},
		{"ipv4", "123.45.6.78", true},
		{"ipv4", "123.45.6.78.9", false},
		{"ipv6", "2001:db8::ff00:42:8329", true},
		{"ipv6", "2001 db8  ff00:42:8329", false},
		{"macaddr", "001B638445E6", true},
		{"macaddr", "00:1b-63:84-45:e6", true},
		{"macaddr", "00!1b!63:84!45:e6", false},
		{"macaddr8", "00:1b:63:84:45:e6", false},
		{"macaddr8", "00:1b:63:84:45:e6:aa:bb", true},
		{"uuid", "df518555-34f0-446a-8788-7b36f607bbea", true},
		{"uuid", "DF518555-34F0-446A-8788-7B36F607BBEA", true},
		{"uuid", "df51855534f0446a87887b36f607bbea", false},
		{"uuid", "not-a-UUID-7B36F607BBEA", false},
		{"duration", "P1M3DT30H4S", true},
		{"duration", "P2W", true},
		{"duration", "PT0S", true},
		{"duration", "P1W3D", false},
		{"duration", "PT0.5S", false},
		{"duration", "P1YT", false},
		{"duration", "-P1D", false},
		{"uri", "http://www.example.org/foo/bar", true},
		{"uri", "../path/to/bar", false},
		{"uri-reference", "../path/to/bar", true},
		{"uri-template", "http://example.com/~{username}/", true},
		{"json-pointer", "/valid/json pointer", true},
		{"json-pointer", "/invalid/es~cape", false},
		{"relative-json-pointer", "0/objects", true},
		{"regex", "^hello$", true},
		{"regex", "[hello", false},
		{"integer", "1234", true},
		{"integer", "1234.00", true},
		{"integer", "-1234", true},
		{"integer", "15e-1", false},
		{"integer", "150e-1", true},
		{"integer", "1e999999999999", true},
		{"integer", "1_234", false},
		{"integer", "1.234", false},
		{"integer", " 1234", false},
		{"uint32", "1234", true},
		{"uint64", "12.5", false},
		{"number", "-1.234", true},
		{"number", "1_234", false},
		{"number", " 1.234", false},
		{"number", "NaN", true},
		{"number", "nan", false},
		{"number", "Infinity", true},
		{"number", "-Infinity", true},
		{"number", "infinity", false},
		{"sha256", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true},
		{"sha256", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", true},
		{"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false},
		{"sha256", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false},
		{"sha256", "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false},
		{"sha256", "sha256:", false},
		{"idn-email", "a@b.com", false},
		{"idn-hostname", "example.com", false},
	}
	for _, c := range cases {
		s := compile(t, `{"format":"`+c.format+`"}`)
		assertFastAgrees(t, s, c.value)
		err := s.Validate(c.value)
		if (err == nil) != c.valid {
			t.Errorf("format %s, value %q: got %v, want valid=%v", c.format, c.value, err, c.valid)
		}
	}
	// Formats constrain strings only.
	if err := compile(t, `{"format":"integer"}`).Validate(decode(t, `12.5`)); err != nil {
		t.Errorf("format applied to a number: %v", err)
	}
}

func TestViolations(t *testing.T) {
	s := compile(t, `{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/$defs/item"}}},
		"required":["id"],"$defs":{"item":{"properties":{"qty":{"minimum":1}}}}}`)
	err := s.Validate(decode(t, `{"items":[{"qty":5},{"qty":0}]}`))
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	want := []Violation{
		{Instance: "", Schema: "file:///schema.json#/required", Keyword: "required"},
		{Instance: "/items/1/qty", Schema: "file:///schema.json#/$defs/item/properties/qty/minimum", Keyword: "minimum"},
	}
	if len(verr.Violations) != len(want) {
		t.Fatalf("violations = %+v, want %d", verr.Violations, len(want))
	}
	for _, w := range want {
		found := false
		for _, v := range verr.Violations {
			if v.Instance == w.Instance && v.Schema == w.Schema && v.Keyword == w.Keyword && v.Message != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("missing violation %+v in %+v", w, verr.Violations)
		}
	}
	msg := err.Error()
	for _, part := range []string{"/items/1/qty", "minimum", "(root)", "id"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
}

func TestValidationErrorSummaryIsBounded(t *testing.T) {
	s := compile(t, `{"items":{"type":"string"}}`)
	err := s.Validate(decode(t, `[1,2,3,4,5,6]`))
	if err == nil {
		t.Fatal("want an error")
	}
	if got := err.Error(); !strings.Contains(got, "and 3 more") || strings.Count(got, "\n") != 3 {
		t.Errorf("summary = %q", got)
	}
	if n := len(err.(*ValidationError).Violations); n != 6 {
		t.Errorf("kept %d violations, want 6", n)
	}
	if got := compile(t, `false`).Validate(decode(t, `1`)).Error(); !strings.Contains(got, "schema is false") {
		t.Errorf("false schema message = %q", got)
	}
}

// The library reports violations in the order it meets them, which follows Go map iteration over
// properties: the same document must still get the same error, in document order, and the same
// first few violations spelled out.
func TestViolationsInStableOrder(t *testing.T) {
	s := compile(t, `{"type":"object","properties":{
		"a":{"type":"string"},"b":{"type":"string"},"c":{"type":"string"},"d":{"type":"string"},
		"e":{"type":"string"},"f":{"minimum":5,"multipleOf":2}}}`)
	doc := decode(t, `{"f":3,"e":1,"d":1,"c":1,"b":1,"a":1}`)
	first := s.Validate(doc)
	var verr *ValidationError
	if !errors.As(first, &verr) || len(verr.Violations) != 7 || verr.Violations[0].Instance != "/a" || verr.Violations[6].Instance != "/f" {
		t.Fatalf("Validate = %v", first)
	}
	for range 50 {
		if err := s.Validate(doc); err.Error() != first.Error() || !reflect.DeepEqual(err, first) {
			t.Fatalf("the same document gave\n%v\nthen\n%v", first, err)
		}
	}
}
