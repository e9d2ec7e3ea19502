package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// roundTrip decodes a snapshot of every message field, re-encodes it, and compares the JSON
// values: every field must survive, with Flow's names and encodings.
func roundTrip[T any](t *testing.T, file string) {
	t.Helper()
	want, err := os.ReadFile("testdata/snapshots/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var msg T
	if err := NewDecoder(bytes.NewReader(compactLine(t, want))).Decode(&msg); err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	var out bytes.Buffer
	enc := NewEncoder(&out)
	if err := enc.Encode(&msg); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out.Bytes(), []byte("\n")); n != 1 {
		t.Fatalf("encoded %d lines, want 1", n)
	}
	if a, b := jsonValue(t, want), jsonValue(t, out.Bytes()); !reflect.DeepEqual(a, b) {
		t.Errorf("%s does not round-trip:\nwant %s\ngot  %s", file, compactLine(t, want), out.Bytes())
	}
}

func compactLine(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return append(buf.Bytes(), '\n')
}

func jsonValue(t *testing.T, b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSnapshotsRoundTrip(t *testing.T) {
	t.Run("capture request", func(t *testing.T) { roundTrip[CaptureRequest](t, "capture_request.json") })
	t.Run("capture response", func(t *testing.T) { roundTrip[CaptureResponse](t, "capture_response.json") })
	t.Run("materialize request", func(t *testing.T) { roundTrip[MaterializeRequest](t, "materialize_request.json") })
	t.Run("materialize response", func(t *testing.T) { roundTrip[MaterializeResponse](t, "materialize_response.json") })
}

func TestEncodingRules(t *testing.T) {
	cases := []struct {
		name string
		msg  any
		want string
	}{
		{"int64 as strings, bytes as base64",
			&MaterializeRequest{StartCommit: &StartCommit{RuntimeCheckpoint: &Checkpoint{Sources: map[string]SourceCheckpoint{
				"j;s": {ReadThrough: 3412, Producers: []ProducerEntry{{ID: []byte{1, 2, 3, 4, 5, 6}, State: ProducerState{LastAck: 2232797184000000000, Begin: -1}}}}}}}},
			`{"startCommit":{"runtimeCheckpoint":{"sources":{"j;s":{"readThrough":"3412","producers":[{"id":"AQIDBAUG","state":{"lastAck":"2232797184000000000","begin":"-1"}}]}}}}}`},
		{"defaults omitted, empty messages kept",
			&MaterializeRequest{Flush: &Flush{}}, `{"flush":{}}`},
		{"binding zero omitted, raw doc embedded, no HTML escaping",
			&MaterializeRequest{Store: &Store{Binding: 0, KeyPacked: []byte("\x02hello\x00"), Doc: json.RawMessage(`{"a":"<b>&"}`)}},
			`{"store":{"keyPacked":"AmhlbGxvAA==","doc":{"a":"<b>&"}}}`},
		{"uint32 as numbers",
			&CaptureRequest{Open: &CaptureOpen{Range: &FullRange}},
			`{"open":{"range":{"keyEnd":4294967295,"rClockEnd":4294967295}}}`},
		{"opened with an empty checkpoint",
			&MaterializeResponse{Opened: &MaterializeOpened{RuntimeCheckpoint: &Checkpoint{}}}, `{"opened":{"runtimeCheckpoint":{}}}`},
		{"enums by name",
			&MaterializeResponse{Validated: &MaterializeValidated{Bindings: []MaterializeValidatedBinding{{
				Constraints: map[string]Constraint{"id": {Type: LocationRequired, Reason: "key"}}}}}},
			`{"validated":{"bindings":[{"constraints":{"id":{"type":"LOCATION_REQUIRED","reason":"key"}}}]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			enc := NewEncoder(&out)
			if err := enc.Encode(c.msg); err != nil {
				t.Fatal(err)
			}
			_ = enc.Flush()
			if got := strings.TrimSuffix(out.String(), "\n"); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDecoder(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		kinds   []string
		wantErr string // substring of the error after the decoded messages
	}{
		{"lines and blank lines", "{\"flushed\":{}}\n\n  \n{\"acknowledged\":{}}\n", []string{"flushed", "acknowledged"}, "EOF"},
		{"last line without newline", `{"flushed":{}}`, []string{"flushed"}, "EOF"},
		{"unknown fields ignored", `{"flushed":{},"future":{"x":1}}` + "\n", []string{"flushed"}, "EOF"},
		{"malformed line", "{\"flushed\":{}}\nnot json\n", []string{"flushed"}, `malformed message "not json"`},
		{"truncated message", `{"loaded":{"binding":1,"doc":{"a"`, nil, "unexpected EOF"},
		{"wrong type", `{"loaded":{"binding":"one"}}` + "\n", nil, "malformed message"},
		{"int64 must be a string", `{"opened":{"runtimeCheckpoint":{"sources":{"j":{"readThrough":12}}}}}` + "\n", nil, "malformed message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dec := NewDecoder(strings.NewReader(c.input))
			var kinds []string
			var err error
			for {
				var m MaterializeResponse
				if err = dec.Decode(&m); err != nil {
					break
				}
				kinds = append(kinds, m.Kind())
			}
			if !reflect.DeepEqual(kinds, c.kinds) {
				t.Errorf("kinds %v, want %v", kinds, c.kinds)
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, c.wantErr)
			}
			if c.wantErr == "EOF" && !errors.Is(err, io.EOF) {
				t.Errorf("error %v, want io.EOF", err)
			}
		})
	}
}

func TestDecoderLongLine(t *testing.T) {
	doc := strings.Repeat("x", 200<<10) // several buffer lengths
	input := `{"loaded":{"binding":1,"doc":"` + doc + `"}}` + "\n" + `{"flushed":{}}` + "\n"
	dec := NewDecoder(strings.NewReader(input))
	var m MaterializeResponse
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if len(m.Loaded.Doc) != len(doc)+2 || m.Loaded.Binding != 1 {
		t.Fatalf("long line decoded wrongly: binding %d, %d doc bytes", m.Loaded.Binding, len(m.Loaded.Doc))
	}
	if err := dec.Decode(&m); err != nil || m.Flushed == nil {
		t.Fatalf("line after a long line: %v %v", m.Kind(), err)
	}
}

func TestKinds(t *testing.T) {
	if k := (&MaterializeRequest{Load: &Load{}, Store: &Store{}}).Kind(); k != "load+store" {
		t.Errorf("two fields: %q", k)
	}
	if k := (&CaptureResponse{}).Kind(); k != "" {
		t.Errorf("no field: %q", k)
	}
	if k := (&CaptureResponse{SourcedSchema: &SourcedSchema{}}).Kind(); k != "sourcedSchema" {
		t.Errorf("sourcedSchema: %q", k)
	}
}

// FuzzDecode feeds arbitrary lines to the decoder of every message type: it must return a
// message or an error, never panic, and a decoded message must re-encode and decode to itself.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"capture_request.json", "materialize_response.json"} {
		b, err := os.ReadFile("testdata/snapshots/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		fuzzOne[CaptureRequest](t, line)
		fuzzOne[CaptureResponse](t, line)
		fuzzOne[MaterializeRequest](t, line)
		fuzzOne[MaterializeResponse](t, line)
	})
}

func fuzzOne[T any](t *testing.T, line []byte) {
	var m T
	if NewDecoder(bytes.NewReader(line)).Decode(&m) != nil {
		return
	}
	var out bytes.Buffer
	enc := NewEncoder(&out)
	if err := enc.Encode(&m); err != nil {
		t.Fatalf("decoded message does not encode: %v", err)
	}
	_ = enc.Flush()
	var again T
	if err := NewDecoder(&out).Decode(&again); err != nil {
		t.Fatalf("re-encoded message does not decode: %v\n%s", err, out.Bytes())
	}
}
