package testrunner

import (
	"strings"
	"testing"
)

func TestParseFixture(t *testing.T) {
	good, err := ParseFixture([]byte(`[[["a/b", {"k": 1}], ["c", {}]], []]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(good) != 2 || len(good[0]) != 2 || len(good[1]) != 0 || good[0][0].Collection != "a/b" || good[0][1].Collection != "c" {
		t.Fatalf("parsed %+v", good)
	}
	for fixture, want := range map[string]string{
		`{`:                 "fixture is not JSON",
		`{"a": 1}`:          "fixture must be an array of transactions",
		`[1]`:               "fixture transaction 0 must be an array",
		`[[["a"]]]`:         "fixture transaction 0 document 0 must be a",
		`[[], [[1, {}]]]`:   "fixture transaction 1 document 0: the collection must be a string, not a number",
		`[[["a", [1]]]]`:    "the document must be a JSON object, not an array",
		`[[["a", {}, {}]]]`: "must be a [\"collection\", {document}] pair",
	} {
		if _, err := ParseFixture([]byte(fixture)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFixture(%s) error = %v, want one containing %q", fixture, err, want)
		}
	}
}

// FuzzParseFixture: any input parses or is an error, never a panic, and what parses has a
// collection name and an object for every document. The seed corpus is testdata/fuzz/FuzzParseFixture.
func FuzzParseFixture(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		txns, err := ParseFixture(data)
		if err != nil {
			return
		}
		for _, txn := range txns {
			for _, d := range txn {
				if d.Doc == nil {
					t.Fatalf("%q parsed to a nil document", data)
				}
			}
		}
	})
}
