package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// validThenWalkMetaUUID is metaUUID as of commit c231caa: json.Valid over the line, then a walk that
// trusts it. It is the oracle that the one-pass scanner must match for every input, error text
// included.
func validThenWalkMetaUUID(line []byte) ([]byte, error) {
	if !json.Valid(line) {
		var v any
		err := json.Unmarshal(line, &v)
		return nil, fmt.Errorf("not a JSON document: %w", err)
	}
	w := refWalker{data: line}
	w.space()
	if !w.at('{') {
		return nil, errNoUUID
	}
	var uuid []byte
	err := errNoUUID
	w.members(func(key []byte) {
		if !keyIs(key, "_meta") {
			w.skipValue()
			return
		}
		uuid, err = nil, errNoUUID
		if !w.at('{') {
			w.skipValue()
			return
		}
		w.members(func(key []byte) {
			if !keyIs(key, "uuid") {
				w.skipValue()
				return
			}
			if !w.at('"') {
				uuid, err = nil, errUUIDNotString
				w.skipValue()
				return
			}
			uuid, err = w.stringValue()
		})
	})
	return uuid, err
}

// refWalker moves through a document already known to be valid JSON.
type refWalker struct {
	data []byte
	pos  int
}

func (w *refWalker) space() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\r', '\n':
			w.pos++
		default:
			return
		}
	}
}

func (w *refWalker) at(c byte) bool { return w.pos < len(w.data) && w.data[w.pos] == c }

func (w *refWalker) members(member func(key []byte)) {
	w.pos++
	for {
		w.space()
		if w.pos >= len(w.data) || w.data[w.pos] == '}' {
			w.pos++
			return
		}
		if w.data[w.pos] == ',' {
			w.pos++
			w.space()
		}
		key := w.rawString()
		w.space()
		w.pos++
		w.space()
		member(key)
	}
}

func (w *refWalker) rawString() []byte {
	start := w.pos
	w.pos++
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '\\':
			w.pos += 2
		case '"':
			w.pos++
			return w.data[start:w.pos]
		default:
			w.pos++
		}
	}
	return w.data[start:]
}

func (w *refWalker) stringValue() ([]byte, error) {
	raw := w.rawString()
	if isPlainASCII(raw) {
		return raw[1 : len(raw)-1], nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func (w *refWalker) skipValue() {
	depth := 0
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '"':
			w.rawString()
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return
			}
			depth--
			if depth == 0 {
				w.pos++
				return
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return
			}
		}
		w.pos++
	}
}

// sameMetaUUID fails t unless metaUUID and the oracle agree on line: the same bytes, the same error
// text, and the same sentinel.
func sameMetaUUID(t *testing.T, line []byte) {
	t.Helper()
	got, err := metaUUID(line)
	want, wantErr := validThenWalkMetaUUID(line)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) ||
		errors.Is(err, errNoUUID) != errors.Is(wantErr, errNoUUID) ||
		errors.Is(err, errUUIDNotString) != errors.Is(wantErr, errUUIDNotString) || !bytes.Equal(got, want) {
		t.Fatalf("%q: metaUUID = %q, %v; json.Valid and walk give %q, %v", line, got, err, want, wantErr)
	}
}

func TestMetaUUIDMatchesValidThenWalk(t *testing.T) {
	const u = `"9f2952f3-c6a3-11ea-8802-080607050309"`
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	lines := []string{
		``, ` `, `{`, `}`, `{}`, `[]`, `""`, `1`, `null`, `true`, `false`, `nul`, `tru`, `fals`, `truex`,
		`{"_meta":{"uuid":` + u + `}}`,
		"\t{\r\n\"_meta\" : { \"uuid\" :" + u + " } }\n",
		`{"_meta":{"uuid":` + u + `}}` + "\v",
		`{"_meta":{"uuid":` + u + `}}` + "\u00a0",
		"\ufeff" + `{"_meta":{"uuid":` + u + `}}`,
		`{"_meta":{"uuid":` + u + `},}`, `{,"_meta":{"uuid":` + u + `}}`, `{"_meta":{"uuid":` + u + `,}}`,
		`{"_meta":{"uuid":` + u + `}"a":1}`, `{"_meta" {"uuid":` + u + `}}`, `{"_meta"::{"uuid":` + u + `}}`,
		`{_meta:{"uuid":` + u + `}}`, `{'_meta':{"uuid":` + u + `}}`, `{"a":1,,"b":2}`, `{"a"}`, `{"a":}`,
		`{"a":[1,2,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":[}`, `{"a":{]}`, `{"a":]`, `[1,2]`, `[{"_meta":{"uuid":` + u + `}}]`,
		// Strings: escapes, control bytes, invalid UTF-8.
		`{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00\ud800","_meta":{"uuid":` + u + `}}`,
		`{"a":"\x","_meta":{"uuid":` + u + `}}`, `{"a":"\u12","_meta":{"uuid":` + u + `}}`,
		`{"a":"\u12G4","_meta":{"uuid":` + u + `}}`, `{"a":"\U1234"}`, `{"a":"\'"}`,
		"{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", "{\"a\":\"del\x7fok\"}", "{\"a\":\"\x00\"}", "{\"a\":\"\x1f\"}",
		"{\"a\":\"\xff\xfe\",\"_meta\":{\"uuid\":\"\xff\"}}", "{\"_meta\":{\"uuid\":\"\xc3\xa9\"}}",
		`{"_meta":{"uuid":"a\u0000b"}}`, `{"_meta":{"uuid":"\ud800"}}`, `{"_meta":{"uuid":"unterminated}}`,
		`{"_meta":{"uuid":"` + strings.Repeat(`\\`, 3) + `"}}`, `{"_meta":{"uuid":"ends in backslash\"}}`,
		// Numbers.
		`{"n":0}`, `{"n":-0}`, `{"n":01}`, `{"n":-}`, `{"n":-a}`, `{"n":1.}`, `{"n":.5}`, `{"n":1.5e}`, `{"n":1.5e+}`,
		`{"n":1.5E-07}`, `{"n":1e700}`, `{"n":+1}`, `{"n":0x10}`, `{"n":1_000}`, `{"n":Infinity}`, `{"n":NaN}`,
		`{"n":123456789012345678901234567890}`, `{"n":-0.0e0}`, `{"n":1ee2}`, `{"n":1.2.3}`, `{"n":--1}`,
		`1E700`, `-`, `0 1`, `{} {}`, `{}x`, `{"a":1}` + "\n\n",
		// Keys: escapes, duplicates, case.
		`{"_\u006deta":{"\u0075uid":` + u + `}}`, `{"_meta":{"uuid":"x"},"_meta":{"uuid":` + u + `}}`,
		`{"_meta":{"uuid":` + u + `},"_meta":7}`, `{"_meta":{"uuid":` + u + `,"uuid":null}}`,
		`{"_meta":{"uuid":null,"uuid":` + u + `}}`, `{"_meta":{"uuid":[` + u + `]}}`, `{"_meta":{"uuid":{}}}`,
		`{"_META":{"uuid":` + u + `}}`, `{"a":{"_meta":{"uuid":` + u + `}}}`, `{"_meta":{"x":{"uuid":` + u + `}}}`,
		`{"_meta":{"uuid":"` + strings.Repeat("é", 40) + `"}}`,
		// Nesting at and past encoding/json's limit of 10,000 levels.
		`{"a":` + nest("[", "]", 9999) + `,"_meta":{"uuid":` + u + `}}`,
		`{"a":` + nest("[", "]", 10000) + `,"_meta":{"uuid":` + u + `}}`,
		nest("[", "]", 10000), nest("[", "]", 10001),
		`{"_meta":{"uuid":` + u + `,"d":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat(`}`, 9998) + `}}`,
		`{"_meta":{"uuid":` + u + `,"d":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat(`}`, 9999) + `}}`,
	}
	for _, line := range lines {
		sameMetaUUID(t, []byte(line))
	}
	// Every prefix of a document with each kind of value cut at every byte.
	full := []byte(`{"a":[1,-2.5e+3,true,false,null,{"b":"c\"\u00e9"}],"_meta":{"ack":true,"uuid":` + u + `},"z":{}}`)
	for i := range full {
		sameMetaUUID(t, full[:i])
		sameMetaUUID(t, append(bytes.Clone(full[:i]), full[i+1:]...)) // one byte dropped
	}
}

// FuzzMetaUUIDMatchesValidThenWalk holds metaUUID to the oracle on any input.
func FuzzMetaUUIDMatchesValidThenWalk(f *testing.F) {
	f.Add([]byte(`{"_meta":{"uuid":"9f2952f3-c6a3-11ea-8802-080607050309"},"a":[1,{"b":"}"}]}`))
	f.Add([]byte(`{"a":"\\\"","_meta":{"ack":true,"uuid":"x\u0041"}}`))
	f.Add([]byte(`{"n":-0.5E+2,"t":[true,false,null],"_meta":{"uuid":"\ud83d\ude00"}}`))
	f.Fuzz(func(t *testing.T, line []byte) { sameMetaUUID(t, line) })
}

// BenchmarkMetaUUID finds the UUID of each line of a benchmark transaction: the current metaUUID
// beside the json.Valid-then-walk oracle, in the same run.
func BenchmarkMetaUUID(b *testing.B) {
	clock := NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	txn := benchTxn(b, &clock)
	lines := bytes.Split(bytes.TrimSuffix(txn, []byte("\n")), []byte("\n"))
	for _, bc := range []struct {
		name string
		fn   func([]byte) ([]byte, error)
	}{{"valid-then-walk", validThenWalkMetaUUID}, {"metaUUID", metaUUID}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(txn)))
			for i := 0; i < b.N; i++ {
				for _, line := range lines {
					if _, err := bc.fn(line); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
