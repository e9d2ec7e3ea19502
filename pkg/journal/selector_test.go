package journal

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSelector(t *testing.T) {
	journals := map[string]string{
		"eu-1":  "acme/events/region=EU/tier=%_1/pivot=00",
		"eu-2":  "acme/events/region=EU/tier=%_2/pivot=00",
		"us-1":  "acme/events/region=US/tier=%_1/pivot=00",
		"null":  "acme/events/region=%_null/tier=%_1/pivot=00",
		"space": "acme/events/region=North%20Pole/tier=%_1/pivot=00",
	}
	for _, tc := range []struct {
		selector string
		want     []string
	}{
		{`{}`, []string{"eu-1", "eu-2", "us-1", "null", "space"}},
		{`{"include": {"region": ["EU"]}}`, []string{"eu-1", "eu-2"}},
		{`{"include": {"region": ["EU", "US"], "tier": [1]}}`, []string{"eu-1", "us-1"}},
		{`{"exclude": {"region": ["EU"]}}`, []string{"us-1", "null", "space"}},
		{`{"include": {"tier": [1]}, "exclude": {"region": [null]}}`, []string{"eu-1", "us-1", "space"}},
		{`{"include": {"region": ["North Pole"]}}`, []string{"space"}},
		{`{"include": {"missing": ["x"]}}`, nil},
		{`{"include": {"tier": ["1"]}}`, nil}, // The string "1" is not the integer 1.
	} {
		sel, err := ParseSelector([]byte(tc.selector))
		if err != nil {
			t.Fatalf("%s: %v", tc.selector, err)
		}
		want := map[string]bool{}
		for _, k := range tc.want {
			want[k] = true
		}
		for key, name := range journals {
			got, err := sel.MatchesJournal("acme/events", name)
			if err != nil {
				t.Fatal(err)
			}
			if got != want[key] {
				t.Errorf("%s on %s = %v", tc.selector, name, got)
			}
		}
	}
}

func TestParseSelectorErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"include": {"a": [1.5]}}`, `field "a"`},
		{`{"include": {"a": [[1]]}}`, `field "a"`},
		{`{"inclde": {}}`, "unknown field"},
		{`{"include": {"a": "x"}}`, "cannot unmarshal"},
		{`{} {}`, "after the JSON object"},
		{`nope`, "invalid character"},
	} {
		_, err := ParseSelector([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSelector(%s) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseSelector(f *testing.F) {
	f.Add(`{"include": {"region": ["EU", null, true, 5]}, "exclude": {"x": ["y"]}}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, in string) {
		sel, err := ParseSelector([]byte(in))
		if err != nil {
			return
		}
		// A parsed selector re-encodes and parses to one that matches the same partitions.
		data, err := json.Marshal(sel)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseSelector(data)
		if err != nil {
			t.Fatalf("%s re-encoded as %s, which does not parse: %v", in, data, err)
		}
		probe := []PartitionValue{{"region", "EU"}, {"x", "y"}}
		if sel.Matches(probe) != again.Matches(probe) {
			t.Fatalf("%s and %s disagree", in, data)
		}
	})
}
