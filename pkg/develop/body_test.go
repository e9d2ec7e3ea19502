package develop

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestParseIngestBody(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		want  []any // documents as JSON text
		lines []int
		err   string
	}{
		{"JSON lines", "{\"a\":1}\n{\"a\":2}\n", []any{`{"a":1}`, `{"a":2}`}, []int{1, 2}, ""},
		{"CRLF and blank lines", "\r\n{\"a\":1}\r\n\r\n{\"a\":2}", []any{`{"a":1}`, `{"a":2}`}, []int{2, 4}, ""},
		{"array over lines", "[\n{\"a\":1},\n{\"a\":2}\n]", []any{`{"a":1}`, `{"a":2}`}, []int{2, 3}, ""},
		{"two arrays", `[{"a":1}] [{"a":2},{"a":3}]`, []any{`{"a":1}`, `{"a":2}`, `{"a":3}`}, []int{1, 1, 1}, ""},
		{"nested array is a document", `[[1,2]]`, []any{`[1,2]`}, []int{1}, ""},
		{"empty array", `[]`, nil, nil, ""},
		{"empty", "", nil, nil, ""},
		{"large integers keep precision", `{"n":12345678901234567890}`, []any{`{"n":12345678901234567890}`}, []int{1}, ""},
		{"truncated document", "{\"a\":1}\n{\"a\":", nil, nil, "document 2 (line 2): not JSON: the body ends inside this document"},
		{"garbage", "{\"a\":1}\n\nnope", nil, nil, "document 2 (line 3): not JSON"},
		{"unclosed array", "[{\"a\":1},\n{\"a\":2}", nil, nil, "document 3 (line 2): the array of documents is not closed"},
		{"bad element", "[{\"a\":1},\n{\"a\" 2}]", nil, nil, "document 2 (line 2): not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs, err := parseIngestBody([]byte(c.body))
			if c.err != "" {
				var be *bodyError
				if !errors.As(err, &be) || len(err.Error()) < len(c.err) || err.Error()[:len(c.err)] != c.err {
					t.Fatalf("error %v, want one starting %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			var lines []int
			for _, d := range docs {
				got = append(got, string(d.Raw))
				lines = append(lines, d.Line)
			}
			if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("got %v at lines %v, want %v at lines %v", got, lines, c.want, c.lines)
			}
		})
	}
}

// FuzzParseIngestBody checks that any body either parses into documents that are each valid
// JSON, or fails with a located error, and never panics.
func FuzzParseIngestBody(f *testing.F) {
	for _, seed := range []string{"{\"a\":1}\n{\"b\":[1,2]}\n", "[{\"a\":1},{\"a\":2}]", "[", "]", "{\"a\":", "[1,,2]", "\n\n5 \"x\" null", ""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		docs, err := parseIngestBody(body)
		if err != nil {
			var be *bodyError
			if !errors.As(err, &be) || be.Index < 1 || be.Line < 1 {
				t.Fatalf("error without a location: %v", err)
			}
			return
		}
		for i, d := range docs {
			if !json.Valid(d.Raw) {
				t.Fatalf("document %d is not JSON: %q", i+1, d.Raw)
			}
			if d.Line < 1 || (i > 0 && d.Line < docs[i-1].Line) {
				t.Fatalf("document %d has line %d after line %d", i+1, d.Line, docs[max(i-1, 0)].Line)
			}
		}
	})
}
