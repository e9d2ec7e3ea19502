package journal

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Cases from Flow's crates/labels/src/partition.rs.
func TestPartitionValueEncoding(t *testing.T) {
	for _, tc := range []struct {
		value any
		enc   string
		back  any
	}{
		{nil, "%_null", nil},
		{true, "%_true", true},
		{false, "%_false", false},
		{json.Number("123"), "%_123", json.Number("123")},
		{json.Number("-123"), "%_-123", json.Number("-123")},
		{json.Number("18446744073709551615"), "%_18446744073709551615", json.Number("18446744073709551615")},
		{json.Number("-9223372036854775808"), "%_-9223372036854775808", json.Number("-9223372036854775808")},
		{int64(-8675309), "%_-8675309", json.Number("-8675309")},
		{uint64(7), "%_7", json.Number("7")},
		{float64(42), "%_42", json.Number("42")},
		{"null", "null", "null"},
		{"%_null", "%25_null", "%_null"},
		{"true", "true", "true"},
		{"123", "123", "123"},
		{"-123", "-123", "-123"},
		{"hello, world!", "hello%2C%20world%21", "hello, world!"},
		{"Baz!@\"Bing\"", "Baz%21%40%22Bing%22", "Baz!@\"Bing\""},
		{"no.no&no-no@no$yes_yes();", "no.no%26no-no%40no%24yes_yes%28%29%3B", "no.no&no-no@no$yes_yes();"},
		{"http://example/path?q1=v1&q2=v2;ex%20tra", "http%3A%2F%2Fexample%2Fpath%3Fq1%3Dv1%26q2%3Dv2%3Bex%2520tra", "http://example/path?q1=v1&q2=v2;ex%20tra"},
		{"bye! 👋", "bye%21%20%F0%9F%91%8B", "bye! 👋"},
		{"a~b", "a%7Eb", "a~b"}, // Rust's encoding, where Go's url.QueryEscape would keep '~'.
		{"", "", ""},
	} {
		enc, err := EncodePartitionValue(tc.value)
		if err != nil || enc != tc.enc {
			t.Errorf("Encode(%#v) = %q, %v; want %q", tc.value, enc, err, tc.enc)
			continue
		}
		back, err := DecodePartitionValue(enc)
		if err != nil || !reflect.DeepEqual(back, tc.back) {
			t.Errorf("Decode(%q) = %#v, %v; want %#v", enc, back, err, tc.back)
		}
	}
}

func TestPartitionValueErrors(t *testing.T) {
	for _, v := range []any{json.Number("1.5"), json.Number("1e400"), 2.5, []any{1}, map[string]any{}, json.Number("99999999999999999999")} {
		if enc, err := EncodePartitionValue(v); err == nil {
			t.Errorf("Encode(%#v) = %q, want an error", v, enc)
		}
	}
	for _, enc := range []string{"%_-867_not_an_int", "%_", "%_+", "%_--1", "%_1.5", "%FF"} {
		if v, err := DecodePartitionValue(enc); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", enc, v)
		}
	}
	// Integers decode to their canonical form, as Rust parses them.
	for enc, want := range map[string]json.Number{"%_007": "7", "%_+5": "5", "%_-0": "0"} {
		if v, err := DecodePartitionValue(enc); err != nil || v != want {
			t.Errorf("Decode(%q) = %#v, %v; want %s", enc, v, err, want)
		}
	}
	// A '%' that starts no escape is kept, as Rust's percent_decode_str keeps it.
	if v, err := DecodePartitionValue("50%off%2"); err != nil || v != "50%off%2" {
		t.Errorf("Decode of a stray %% = %#v, %v", v, err)
	}
}

func TestJournalName(t *testing.T) {
	name, err := JournalName("base/journal/name", []PartitionValue{
		{"z", "bye! 👋"},
		{"foo", true},
		{"Loo", "Ba+z!@_\"Bi.n/g\" http://example-host/path?q1=v1&q2=v+2;ex%%tra"},
		{"bar", json.Number("-123")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Flow's test_encoding, with pivot 00 for the whole key range.
	want := "base/journal/name/Loo=Ba%2Bz%21%40_%22Bi.n%2Fg%22%20http%3A%2F%2Fexample-host%2Fpath%3Fq1%3Dv1%26q2%3Dv%2B2%3Bex%25%25tra/bar=%_-123/foo=%_true/z=bye%21%20%F0%9F%91%8B/pivot=00"
	if name != want {
		t.Fatalf("name\n got %s\nwant %s", name, want)
	}
	parsed, err := ParseJournalName("base/journal/name", name)
	if err != nil {
		t.Fatal(err)
	}
	wantParts := []PartitionValue{
		{"Loo", "Ba+z!@_\"Bi.n/g\" http://example-host/path?q1=v1&q2=v+2;ex%%tra"},
		{"bar", json.Number("-123")},
		{"foo", true},
		{"z", "bye! 👋"},
	}
	if !reflect.DeepEqual(parsed.Partitions, wantParts) || parsed.Pivot != "00" {
		t.Fatalf("parsed %#v", parsed)
	}
	if name, err := JournalName("acmeCo/orders", nil); err != nil || name != "acmeCo/orders/pivot=00" {
		t.Fatalf("unpartitioned name %q, %v", name, err)
	}
}

func TestJournalNameErrors(t *testing.T) {
	if _, err := JournalName("c", []PartitionValue{{"a", 1.5}}); err == nil || !strings.Contains(err.Error(), `field "a"`) {
		t.Errorf("float partition: %v", err)
	}
	if _, err := JournalName("c", []PartitionValue{{"a", "x"}, {"a", "y"}}); err == nil {
		t.Error("duplicate field accepted")
	}
	for _, name := range []string{"other/pivot=00", "c/a=1", "c/pivot=zz", "c/noequals/pivot=00", "c/a=%_x/pivot=00", "c/pivot=123456789"} {
		if _, err := ParseJournalName("c", name); err == nil {
			t.Errorf("ParseJournalName(%q) succeeded", name)
		}
	}
}

func FuzzDecodePartitionValue(f *testing.F) {
	for _, s := range []string{"%_null", "%_-5", "%_18446744073709551615", "hello%2C%20world%21", "%", "%zz", "%25_null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, enc string) {
		v, err := DecodePartitionValue(enc)
		if err != nil {
			return
		}
		again, err := EncodePartitionValue(v)
		if err != nil {
			t.Fatalf("decoded %q to %#v, which does not encode: %v", enc, v, err)
		}
		back, err := DecodePartitionValue(again)
		if err != nil || !reflect.DeepEqual(back, v) {
			t.Fatalf("%q -> %#v -> %q -> %#v, %v", enc, v, again, back, err)
		}
	})
}

func FuzzParseJournalName(f *testing.F) {
	f.Add("acmeCo/orders/category=Anvils/pivot=00")
	f.Add("acmeCo/orders/a=%_1/b=%_null/pivot=80000000")
	f.Add("acmeCo/orders/pivot=")
	f.Fuzz(func(t *testing.T, name string) {
		parsed, err := ParseJournalName("acmeCo/orders", name)
		if err != nil || parsed.Pivot != "00" {
			return
		}
		rebuilt, err := JournalName("acmeCo/orders", parsed.Partitions)
		if err != nil {
			return // Duplicate fields parse but do not name a journal.
		}
		again, err := ParseJournalName("acmeCo/orders", rebuilt)
		if err != nil {
			t.Fatalf("%q rebuilt as %q, which does not parse: %v", name, rebuilt, err)
		}
		// Fields come back sorted; compare as sets.
		if len(again.Partitions) != len(parsed.Partitions) {
			t.Fatalf("%q rebuilt as %q", name, rebuilt)
		}
	})
}
