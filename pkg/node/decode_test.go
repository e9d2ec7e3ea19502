package node_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
)

// decodeCases are inputs where a decoder might part ways with encoding/json.
var decodeCases = []string{
	`{"a":1,"a":2}`, `{"a":{"x":1},"a":[]}`, `{"b":1,"a":2,"b":3,"a":4,"c":5}`, `[]`, `{}`, `[[],{}]`,
	` [ 1 , 2 ] `, "\t\r\n1\n", `-0`, `0.5e-10`, `1E+2`, `-12.25E3`, `01`, `-`, `1.`, `.5`, `1e`, `+1`,
	`0x1`, `1.e5`, `-01`, `18446744073709551615`, `18446744073709551616`, `-9223372036854775808`,
	`-9223372036854775809`, `1e308`, `1e-400`, `-0.0`, `123456789012345678901234567890`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\uD83D\uDE00"`, `"\u00e9\u0000"`, `"\u12"`, `"\u12g4"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`,
	"\"\xff\xfe\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", "\"caf\xc3\xa9\"", "\"tab\there\"", "\"\x7f\"",
	"\"a long string with \xc3\xa9 and then \xff and then \\n\"", "\"12345678\\u00e9\xe2\x82\xac 12345678\"",
	"{\"\xff\":1}", `{"k\u00e9y":"v"}`, `"unterminated`, `"\`, `{"a"}`, `{"a":}`, `{,}`, `{"a":1,}`,
	`[1,]`, `[,1]`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, `tru`, `nul`, `falsey`, `true false`,
	`null]`, `{}}`, `1 2`, `[`, `{`, `]`, "\ufeff1", ``, `   `, `"\u0020"`, `[true,false,null]`,
	strings.Repeat("[", node.MaxDepth) + strings.Repeat("]", node.MaxDepth),
	strings.Repeat("[", node.MaxDepth+1) + strings.Repeat("]", node.MaxDepth+1),
	strings.Repeat(`{"a":`, node.MaxDepth) + "1" + strings.Repeat("}", node.MaxDepth),
	strings.Repeat(`{"a":`, node.MaxDepth+1) + "1" + strings.Repeat("}", node.MaxDepth+1),
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	var a node.Arena
	for _, in := range append(decodeCases, string(testdocs.Bench(1, 1)[0])) {
		checkDecode(t, &a, []byte(in))
	}
}

// checkDecode holds Arena.Decode to encoding/json (values equal, numbers by value) and to
// doc.Decode (the same errors, word for word), except that a number beyond f64's range is an
// error, as serde_json's.
func checkDecode(t *testing.T, a *node.Arena, in []byte) {
	t.Helper()
	short := string(in)
	if len(short) > 80 {
		short = short[:80] + "…"
	}
	want, wantErr := testdocs.DecodeStd(in)
	_, docErr := doc.Decode(in)
	got, err := a.Decode(in)
	if err != nil && strings.Contains(err.Error(), "number out of range") {
		if wantErr == nil && !hasHugeNumber(want) {
			t.Fatalf("Decode(%q): %v, but encoding/json gives %#v, %v", short, err, want, wantErr)
		}
		return
	}
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("Decode(%q): error %v, encoding/json error %v", short, err, wantErr)
	case err != nil && err.Error() != docErr.Error():
		t.Fatalf("Decode(%q): error %q, doc.Decode's %q", short, err, docErr)
	case err == nil && !equalByValue(a.ToAny(got), want):
		t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", short, a.ToAny(got), want)
	}
}

func hasHugeNumber(v any) bool {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return err != nil && math.IsInf(f, 0)
	case []any:
		for _, item := range v {
			if hasHugeNumber(item) {
				return true
			}
		}
	case map[string]any:
		for _, item := range v {
			if hasHugeNumber(item) {
				return true
			}
		}
	}
	return false
}

// equalByValue is deep equality with numbers compared as Flow compares them: by value as f64
// when either is a float (Flow parses fractions into f64), exactly otherwise.
func equalByValue(x, y any) bool {
	switch x := x.(type) {
	case json.Number:
		y, ok := y.(json.Number)
		return ok && sameNumber(x, y)
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalByValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !equalByValue(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

func sameNumber(x, y json.Number) bool {
	var a node.Arena
	nx, ny := node.ParseNumber(string(x)), node.ParseNumber(string(y))
	if nx.Kind() == node.Float || ny.Kind() == node.Float {
		return nx.AsFloat() == ny.AsFloat() || math.IsNaN(nx.AsFloat()) && math.IsNaN(ny.AsFloat())
	}
	bx, _ := new(big.Int).SetString(string(x), 10)
	by, _ := new(big.Int).SetString(string(y), 10)
	return bx != nil && by != nil && bx.Cmp(by) == 0 && a.Compare(nx, ny) == 0
}

// Errors say what was expected and where, in doc.Decode's words.
func TestDecodeErrorsSayWhere(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a" 1}`, `invalid JSON: unexpected '1' at byte 5, expected ':'`},
		{`[1 2]`, `invalid JSON: unexpected '2' at byte 3, expected ',' or ']'`},
		{`{"a":1 2}`, `invalid JSON: unexpected '2' at byte 7, expected ',' or '}'`},
		{`{"a":1,}`, `invalid JSON: unexpected '}' at byte 7, expected a string naming a property`},
		{`"\q"`, `invalid JSON: unexpected 'q' at byte 2, expected an escape (one of \" \\ \/ \b \f \n \r \t \uXXXX)`},
		{"\"a\nb\"", `invalid JSON: unexpected '\n' at byte 2, expected a character allowed in strings (control characters must be escaped)`},
		{"\"abcdefghijklmnop\tb\"", `invalid JSON: unexpected '\t' at byte 17, expected a character allowed in strings`},
		{`[1.]`, `invalid JSON: unexpected ']' at byte 3, expected a digit after the decimal point`},
		{`{"a":`, `invalid JSON: unexpected end of input, expected a value`},
		{`nul`, `invalid JSON: unexpected end of input, expected "null"`},
		{`[nulx]`, `invalid JSON: unexpected 'x' at byte 4, expected "null"`},
		{`"abc`, `invalid JSON: unexpected end of input, expected '"' closing the string`},
		{strings.Repeat("[", node.MaxDepth+1), `invalid JSON: nested deeper than 10000 arrays and objects at byte 10000`},
		{`{} {}`, `invalid JSON: unexpected data after the value at byte 3`},
		{`[1, 2e400]`, `invalid JSON: number out of range at byte 4`},
		{`-1e309`, `invalid JSON: number out of range at byte 0`},
		{" \n", `expected a JSON value, found nothing`},
	}
	var a node.Arena
	for _, c := range cases {
		_, err := a.Decode([]byte(c.in))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Decode(%q) error = %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := a.Decode(nil); !errors.Is(err, node.ErrNothing) {
		t.Errorf("Decode(nil) error = %v, want ErrNothing", err)
	}
}

// Numbers are classified as serde_json classifies them.
func TestDecodeNumberKinds(t *testing.T) {
	cases := []struct {
		in   string
		kind node.Kind
		text string
	}{
		{`0`, node.PosInt, `0`}, {`-0`, node.Float, `-0.0`}, {`18446744073709551615`, node.PosInt, `18446744073709551615`},
		{`18446744073709551616`, node.Float, `1.8446744073709552e19`}, {`-1`, node.NegInt, `-1`},
		{`-9223372036854775808`, node.NegInt, `-9223372036854775808`},
		{`-9223372036854775809`, node.Float, `-9.223372036854776e18`}, {`1.0`, node.Float, `1.0`},
		{`1e2`, node.Float, `100.0`}, {`-0.0`, node.Float, `-0.0`}, {`1.50`, node.Float, `1.5`},
		{`1e-400`, node.Float, `0.0`}, {`12345678901234567`, node.PosInt, `12345678901234567`},
	}
	var a node.Arena
	for _, c := range cases {
		n, err := a.Decode([]byte(c.in))
		if err != nil {
			t.Fatalf("Decode(%s): %v", c.in, err)
		}
		if n.Kind() != c.kind || string(a.AppendJSON(nil, n)) != c.text {
			t.Errorf("Decode(%s) = %v %s, want %v %s", c.in, n.Kind(), a.AppendJSON(nil, n), c.kind, c.text)
		}
	}
}

// Objects hold their fields sorted and unique, the last of a duplicated name winning.
func TestDecodeSortsFields(t *testing.T) {
	var a node.Arena
	in := `{"b":1,"a":2,"b":3,"c":{"z":1,"y":2},"a":4,"":0}`
	n, err := a.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(a.AppendJSON(nil, n)), `{"":0,"a":4,"b":3,"c":{"y":2,"z":1}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	// Many fields take the other sort.
	var b strings.Builder
	b.WriteString("{")
	for i := 99; i >= 0; i-- {
		fmt.Fprintf(&b, `"k%02d":%d,"k%02d":%d,`, i, i, i, -i)
	}
	b.WriteString(`"end":true}`)
	n, err = a.Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	fields := a.Fields(n)
	if len(fields) != 101 {
		t.Fatalf("%d fields, want 101", len(fields))
	}
	for i := 1; i < len(fields); i++ {
		if a.Str(fields[i-1].Name) >= a.Str(fields[i].Name) {
			t.Fatalf("fields %q and %q out of order", a.Str(fields[i-1].Name), a.Str(fields[i].Name))
		}
	}
	if v, _ := a.Get(n, "k42"); v.Kind() != node.NegInt || v.Int() != -42 {
		t.Fatalf("k42 = %v %d, want the last, -42", v.Kind(), v.Int())
	}
}

// Values larger than a chunk get chunks of their own and read back whole.
func TestDecodeBigValues(t *testing.T) {
	var a node.Arena
	long := strings.Repeat("abcdefgh", 1<<17) // 1 MiB
	n, err := a.Decode([]byte(`["` + long + `"]`))
	if err != nil {
		t.Fatal(err)
	}
	if s := a.Str(a.Items(n)[0]); s != long {
		t.Fatalf("a 1 MiB string read back as %d bytes", len(s))
	}
	var b strings.Builder
	b.WriteString("[")
	for i := range 100_000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"i":%d}`, i)
	}
	b.WriteString("]")
	n, err = a.Decode([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	items := a.Items(n)
	if len(items) != 100_000 {
		t.Fatalf("%d items, want 100000", len(items))
	}
	for i, item := range items {
		if v, _ := a.Get(item, "i"); v.Uint() != uint64(i) {
			t.Fatalf("item %d holds %d", i, v.Uint())
		}
	}
	if got := string(a.AppendJSON(nil, n)); got != b.String() {
		t.Fatalf("the array did not round trip")
	}
}

// Decoding allocates nothing once the arena has its chunks.
func TestDecodeAllocatesNothing(t *testing.T) {
	docs := testdocs.Bench(100, 100)
	var a node.Arena
	for _, d := range docs {
		if _, err := a.Decode(d); err != nil {
			t.Fatal(err)
		}
	}
	a.Reset()
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		if i%len(docs) == 0 {
			a.Reset()
		}
		if _, err := a.Decode(docs[i%len(docs)]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if allocs != 0 {
		t.Fatalf("Decode allocates %v times per document", allocs)
	}
}

// Size counts what nodes take, not chunks: it grows with documents, drops to 0 on Reset, and
// the arena decodes the same documents again into the same memory.
func TestArenaResetAndSize(t *testing.T) {
	var a node.Arena
	if a.Size() != 0 {
		t.Fatalf("an empty arena's Size is %d", a.Size())
	}
	docs := testdocs.Bench(2000, 2000)
	for _, d := range docs[:1] {
		if _, err := a.Decode(d); err != nil {
			t.Fatal(err)
		}
	}
	first := a.Size()
	if first <= 0 {
		t.Fatalf("Size is %d after a document", first)
	}
	for _, d := range docs {
		if _, err := a.Decode(d); err != nil {
			t.Fatal(err)
		}
	}
	grown := a.Size()
	if grown <= first {
		t.Fatalf("Size did not grow past %d with 2000 documents (%d)", first, grown)
	}
	if capacity := a.Capacity(); grown > capacity || capacity-grown > 3*(256<<10) {
		t.Fatalf("Size %d is not what the chunks (Capacity %d) hold, up to the unfilled ends", grown, capacity)
	}
	a.Reset()
	if a.Size() != 0 {
		t.Fatalf("Size after Reset is %d, want 0", a.Size())
	}
	if _, err := a.Decode(docs[0]); err != nil || a.Size() != first {
		t.Fatalf("the first document again takes %d bytes (error %v), first %d", a.Size(), err, first)
	}
	n, err := a.Decode(docs[7])
	if err != nil {
		t.Fatal(err)
	}
	if got := a.AppendJSON(nil, n); !bytes.Equal(got, doc.Append(nil, mustDecode(t, docs[7]))) {
		t.Fatalf("after Reset: %s", got)
	}
}

func mustDecode(t testing.TB, b []byte) any {
	t.Helper()
	v, err := doc.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func FuzzDecode(f *testing.F) {
	for _, in := range decodeCases[:len(decodeCases)-4] { // the deep ones are too big for a corpus
		f.Add([]byte(in))
	}
	f.Add(testdocs.Bench(1, 1)[0])
	var a node.Arena
	f.Fuzz(func(t *testing.T, b []byte) {
		a.Reset()
		checkDecode(t, &a, b)
	})
}
