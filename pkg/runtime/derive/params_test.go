package derive

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

func TestSQLValue(t *testing.T) {
	tests := []struct {
		in               string // JSON
		format, encoding string
		want             any
	}{
		{`null`, "", "", nil},
		{`true`, "", "", int64(1)},
		{`false`, "", "", int64(0)},
		{`42`, "", "", int64(42)},
		{`-0`, "", "", math.Copysign(0, -1)}, // serde_json reads -0 as the float -0.0
		{`-9223372036854775808`, "", "", int64(-9223372036854775808)},
		{`9223372036854775807`, "", "", int64(9223372036854775807)},
		{`9223372036854775808`, "", "", float64(9223372036854775808)},
		{`18446744073709551615`, "", "", float64(18446744073709551615)},
		{`-9223372036854775809`, "", "", float64(-9223372036854775809)},
		{`1.5`, "", "", 1.5},
		{`1.0`, "", "", 1.0},
		{`1e3`, "", "", 1000.0},
		{`"12"`, "integer", "", int64(12)},
		{`"twelve"`, "integer", "", "twelve"},
		{`"1e3"`, "number", "", 1000.0},
		{`"aGk="`, "", "base64", []byte("hi")},
		{`"aGk"`, "", "base64", "aGk"},
		{`"plain"`, "", "", "plain"},
		{`{"b":1,"a":["x"]}`, "", "", `{"a":["x"],"b":1}`},
		{`[1.50, {"z":null, "y":1e2}]`, "", "", `[1.5,{"y":100.0,"z":null}]`},
	}
	for _, tc := range tests {
		var a node.Arena
		n, err := a.Decode([]byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := sqlValue(&a, n, tc.format, tc.encoding); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("sqlValue(%s, %q, %q) = %#v, want %#v", tc.in, tc.format, tc.encoding, got, tc.want)
		}
	}
}

func TestUnbindableDefault(t *testing.T) {
	_, err := binder(schema.Projection{Field: "x", Ptr: "/x",
		Inference: schema.Inference{HasDefault: true, Default: struct{}{}}})
	if err == nil || !strings.Contains(err.Error(), "the default of /x cannot be bound") {
		t.Errorf("got %v", err)
	}
}

// mapBinding is how parameters were bound before documents were read into arenas: from the
// document decoded by doc.Decode. It is the oracle of TestNodeBindingMatchesMapBinding and the
// baseline of BenchmarkRead.
func mapBinding(p schema.Projection, v any, raw []byte) any {
	if p.Ptr == "" {
		return string(raw)
	}
	got, ok := doc.MustParsePointer(p.Ptr).Query(v)
	if !ok {
		if !p.Inference.HasDefault {
			return nil
		}
		got = p.Inference.Default
	}
	return mapValue(got, p.Inference.Format, p.Inference.ContentEncoding)
}

func mapValue(v any, format, encoding string) any {
	switch v := v.(type) {
	case nil:
		return nil
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil && v != "-0" {
			return i
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return f
	case string:
		switch {
		case format == "integer":
			if i, err := strconv.ParseInt(v, 10, 64); err == nil {
				return i
			}
		case format == "number":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f
			}
		case encoding == "base64":
			if b, err := base64.StdEncoding.DecodeString(v); err == nil {
				return b
			}
		}
		return v
	default:
		return string(doc.Append(nil, v))
	}
}

// randomJSON writes a random JSON value, with the numbers and strings whose binding has edges:
// integers around the i64 and u64 limits, non-canonical floats, numeric and base64 text,
// escapes, invalid UTF-8 and duplicate keys.
func randomJSON(r *rand.Rand, b *strings.Builder, depth int) {
	scalars := []string{`null`, `true`, `false`, `0`, `-0`, `7`, `-7`, `9223372036854775807`,
		`9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`, `18446744073709551615`,
		`18446744073709551616`, `123456789012345678901234567890`, `1.50`, `-2.0e-3`, `1E3`, `1e308`,
		`5e-324`, `0.1`, `"12"`, `"-3"`, `"1e2"`, `"x"`, `"aGk="`, `"aGk"`, `""`, `"caf\u00e9 \"q\" \n"`,
		`"\ud83d\ude00"`, `"\ud800"`, "\"\xff\"", `"{\"a\":1}"`, `"[1]"`}
	if depth > 3 || r.IntN(3) > 0 {
		b.WriteString(scalars[r.IntN(len(scalars))])
		return
	}
	if r.IntN(2) == 0 {
		b.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteString(", ")
			}
			randomJSON(r, b, depth+1)
		}
		b.WriteByte(']')
		return
	}
	b.WriteByte('{')
	for i := range r.IntN(5) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `"%s":`, randomNames[r.IntN(len(randomNames))])
		randomJSON(r, b, depth+1)
	}
	b.WriteByte('}')
}

var randomNames = []string{"a", "b", "B", "0", "1", "10", "a~1b", "é", ""}

// randomProjection projects a random location (existing or not) with a random format,
// content encoding and default.
func randomProjection(r *rand.Rand) schema.Projection {
	var ptr strings.Builder
	for range r.IntN(4) {
		ptr.WriteString("/" + randomNames[r.IntN(len(randomNames))])
	}
	p := schema.Projection{Field: "f", Ptr: ptr.String()}
	if p.Ptr == "" && r.IntN(2) == 0 {
		p.Ptr = "/a"
	}
	p.Inference.Format = []string{"", "", "integer", "number", "date-time"}[r.IntN(5)]
	if r.IntN(4) == 0 {
		p.Inference.ContentEncoding = "base64"
	}
	if r.IntN(3) == 0 {
		var def strings.Builder
		randomJSON(r, &def, 2)
		v, err := doc.Decode([]byte(def.String()))
		if err != nil {
			panic(err)
		}
		p.Inference.HasDefault, p.Inference.Default = true, v
	}
	return p
}

// TestNodeBindingMatchesMapBinding holds the binding from documents in arenas to the binding
// from decoded maps it replaced: the same SQLite value, of the same Go type, for random
// documents and projections.
func TestNodeBindingMatchesMapBinding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var a node.Arena
	src := reading{arena: &a}
	for i := range 20000 {
		var b strings.Builder
		randomJSON(r, &b, 0)
		raw := []byte(b.String())
		v, err := doc.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		a.Reset()
		root, err := a.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		src.root, src.raw = root, raw
		for range 4 {
			p := randomProjection(r)
			bind, err := binder(p)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := bind(&src), mapBinding(p, v, raw); !reflect.DeepEqual(got, want) {
				t.Fatalf("document %d %s, projection %s (format %q, encoding %q, default %v): bound %#v, want %#v",
					i, raw, p.Ptr, p.Inference.Format, p.Inference.ContentEncoding, p.Inference.Default, got, want)
			}
		}
	}
}
