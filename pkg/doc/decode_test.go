package doc

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
)

// decodeCases are inputs where a decoder might part ways with encoding/json.
var decodeCases = []string{
	`{"a":1,"a":2}`, `{"a":{"x":1},"a":[]}`, `[]`, `{}`, `[[],{}]`, ` [ 1 , 2 ] `, "\t\r\n1\n",
	`-0`, `0.5e-10`, `1E+2`, `-12.25E3`, `01`, `-`, `1.`, `.5`, `1e`, `+1`, `0x1`, `1.e5`, `-01`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\uD83D\uDE00"`, `"\u00e9\u0000"`, `"\u12"`, `"\u12g4"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`,
	"\"\xff\xfe\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", "\"caf\xc3\xa9\"", "\"tab\there\"", "\"\x7f\"",
	"{\"\xff\":1}", `{"k\u00e9y":"v"}`, `"unterminated`, `"\`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1,}`,
	`[1,]`, `[,1]`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, `tru`, `nul`, `falsey`, `true false`,
	`null]`, `{}}`, `1 2`, `[`, `{`, `]`, "\ufeff1", ``, `   `, `"\u0020"`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
	strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1),
}

// TestDecodeMatchesEncodingJSON holds Decode to encoding/json: the same values (deeply equal,
// so nil and empty containers are told apart), and an error exactly when encoding/json errs.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, in := range append(decodeCases, string(testdocs.Bench(1, 1)[0])) {
		checkDecodeMatches(t, []byte(in))
	}
}

func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, in := range decodeCases[:len(decodeCases)-4] { // the deep ones are too big for a corpus
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecodeMatches(t, b)
	})
}

func checkDecodeMatches(t *testing.T, in []byte) {
	t.Helper()
	want, wantErr := testdocs.DecodeStd(in)
	got, err := Decode(in)
	short := string(in)
	if len(short) > 80 {
		short = short[:80] + "…"
	}
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("Decode(%q): error %v, encoding/json error %v", short, err, wantErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", short, got, want)
	case err != nil && !strings.Contains(err.Error(), "JSON") && !errors.Is(err, errNothing):
		t.Fatalf("Decode(%q): error %q does not say the JSON is invalid", short, err)
	}
}

// Errors say what was expected and where.
func TestDecodeErrorsSayWhere(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a" 1}`, `unexpected '1' at byte 5, expected ':'`},
		{`[1 2]`, `unexpected '2' at byte 3, expected ',' or ']'`},
		{`{"a":1,}`, `unexpected '}' at byte 7, expected a string naming a property`},
		{`"\q"`, `unexpected 'q' at byte 2, expected an escape`},
		{"\"a\nb\"", `expected a character allowed in strings`},
		{`[1.]`, `unexpected ']' at byte 3, expected a digit after the decimal point`},
		{`{"a":`, `unexpected end of input, expected a value`},
		{`nul`, `unexpected end of input, expected "null"`},
		{strings.Repeat("[", maxDepth+1), `nested deeper than 10000 arrays and objects at byte 10000`},
		{`{} {}`, `unexpected data after the value at byte 3`},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q) error = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

// BenchmarkDecode compares Decode with encoding/json on the combiner benchmark's documents.
func BenchmarkDecode(b *testing.B) {
	docs := testdocs.Bench(10_000, 10_000)
	for _, impl := range []struct {
		name string
		fn   func([]byte) (any, error)
	}{{"encoding-json", testdocs.DecodeStd}, {"doc.Decode", Decode}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(docsBytes(docs) / int64(len(docs)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := impl.fn(docs[i%len(docs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
