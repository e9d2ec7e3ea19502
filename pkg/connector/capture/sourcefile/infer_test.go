package sourcefile

import (
	"encoding/json"
	"strings"
	"testing"
)

func inferFrom(t *testing.T, docs ...string) *inference {
	t.Helper()
	in := newInference()
	for _, d := range docs {
		dec := json.NewDecoder(strings.NewReader(d))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		in.observe(v)
	}
	return in
}

func TestInferredSchema(t *testing.T) {
	cases := []struct {
		docs []string
		want string
	}{
		{[]string{`{"a":1}`, `{"a":2,"b":"x"}`},
			`{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"],"type":"object"}`},
		{[]string{`{"n":1}`, `{"n":1.5}`, `{"n":null}`},
			`{"properties":{"n":{"type":["null","number"]}},"required":["n"],"type":"object"}`},
		{[]string{`{"l":[1,"a"]}`, `{"l":[]}`},
			`{"properties":{"l":{"items":{"type":["integer","string"]},"type":"array"}},"required":["l"],"type":"object"}`},
		{[]string{`{"o":{"x":true}}`, `{"o":{}}`},
			`{"properties":{"o":{"properties":{"x":{"type":"boolean"}},"type":"object"}},"required":["o"],"type":"object"}`},
	}
	for _, tc := range cases {
		got, _ := json.Marshal(inferFrom(t, tc.docs...).schema())
		if string(got) != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.docs, got, tc.want)
		}
	}
}

func TestNaturalKey(t *testing.T) {
	cases := []struct {
		docs []string
		want string
	}{
		{[]string{`{"id":1,"user_id":"u"}`}, "/id"},
		{[]string{`{"id":1}`, `{"id":"1"}`, `{"user_id":"u"}`}, ""}, // id changes type, user_id not always there
		{[]string{`{"id":1.5,"b_id":"x","a_id":3}`}, "/a_id"},       // first _id by name
		{[]string{`{"x":1}`, `{"id":2,"x":2}`}, ""},                 // id missing once
		{[]string{`{"a/b_id":"x"}`}, "/a~1b_id"},                    // pointer escaping
		{[]string{`{"id":null}`}, ""},                               // null cannot key
		{[]string{`{"_id":"m"}`}, "/_id"},
	}
	for _, tc := range cases {
		got, ok := inferFrom(t, tc.docs...).naturalKey()
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%v: key %q (%v), want %q", tc.docs, got, ok, tc.want)
		}
	}
}

func TestStreamName(t *testing.T) {
	for pattern, want := range map[string]string{
		"data/orders-*.ndjson": "orders",
		"/tmp/x/people.json":   "people",
		"data/*.csv":           "data",
		"/in/2024/*":           "2024",
		"*":                    "records",
		"/*.json":              "records",
		"./sensors_[0-9].csv":  "sensors",
	} {
		if got := streamName(pattern); got != want {
			t.Errorf("streamName(%q) = %q, want %q", pattern, got, want)
		}
	}
}
