package runtime

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
)

// writerCatalog partitions by region and tier, and reduces: events of one id merge, and n sums.
const writerCatalog = `
collections:
  w/events:
    schema:
      type: object
      reduce: {strategy: merge}
      properties:
        id: {type: integer}
        region: {type: [string, "null"]}
        tier: {type: [integer, "null"]}
        n: {type: number, reduce: {strategy: sum}}
      required: [id]
    key: [/id]
    projections:
      region: {location: /region, partition: true}
      tier: {location: /tier, partition: true}
`

func writerCollection(t *testing.T) *catalog.BuiltCollection {
	t.Helper()
	return catalogtest.Build(t, writerCatalog, nil).Collection("w/events")
}

// stageAll publishes docs as a fixed producer at a fixed time, so that two runs stamp alike.
func stageAll(t *testing.T, docs []journal.Document) []journal.Append {
	t.Helper()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pub := journal.NewPublisher(nil, journal.ProducerID{1, 2, 3, 4, 5, 6}, 0, func() time.Time { return at })
	appends, err := pub.Stage(docs)
	if err != nil {
		t.Fatal(err)
	}
	return appends
}

// TestDrainJSONWritesTheMapFormsBytes holds the bytes path (AddJSON, DrainJSON, the publisher's
// JSON form) to the bytes the map path (decode, Add, Drain, the publisher's map form) writes for
// the same documents: the same journals, lines and UUIDs, byte for byte.
func TestDrainJSONWritesTheMapFormsBytes(t *testing.T) {
	coll := writerCollection(t)
	docs := []string{
		`{"id": 1, "region": "EU", "n": 1}`,
		`{"id":1,"n":2.5,"extra":{"b":1,"a":[true,false,null]}}`, // merges into id 1
		`{"id":2,"region":"US","_meta":{"op":"c","source":{"table":"t"}}}`,
		`{"id":3,"region":"US","_meta":{"uuid":"a user's uuid","z":1}}`,
		`{"id":4,"_meta":"not an object"}`,
		`{"id":5,"_meta":{}}`,
		`{"id":6,"_meta":{"uuid":1},"_meta":{"after":"a duplicate"}}`,
		`{"id":7,"_m\u0065ta":{"op":"u"},"region":"EU"}`,
		`{"id":8,"s":"DocUUIDPlaceholder-329Bb50aa48EAa9ef","_meta":{"a":"DocUUIDPlaceholder-329Bb50aa48EAa9ef"}}`,
		`{"id":9,"s":"<a href=\"x\">&amp;</a> \u2028 line\u2029para \t\n\r\b\f\u0001 \\ \/ é 😀 \ud83d\ude00"}`,
		`{"id":10,"raw":"` + "\u2028\u2029 raw separators, \u00e9" + `","n":1e3}`,
		`{"id":11,"nums":[0,-0,1.50,1e3,1E-7,12345678901234567890,-9223372036854775808,18446744073709551615,1.0e16,0.00001,-1.5e300,3.0]}`,
		`{"id":12,"region":null,"deep":{"a":{"b":{"c":[[],{}]}}}}`,
		`{"id":13,"tier":-3,"n":-4}`,
		`{"id":14,"tier":42,"region":"EU","n":-4,"n":7}`,
		"\t{ \"id\" : 15 ,\n \"_meta\" : { \"x\" : [ 1 , 2 ] } }\n",
		`{"id":16,"":"empty name","~/":"pointer chars","a\"b":1}`,
	}

	oldWriter, err := NewCollectionWriter(coll, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	newWriter, err := NewCollectionWriter(coll, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		v, err := doc.Decode([]byte(d))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if err := oldWriter.Add(v); err != nil {
			t.Fatalf("Add %s: %v", d, err)
		}
		if err := newWriter.AddJSON([]byte(d)); err != nil {
			t.Fatalf("AddJSON %s: %v", d, err)
		}
	}
	var oldDocs, newDocs []journal.Document
	if err := oldWriter.Drain(func(d journal.Document) error { oldDocs = append(oldDocs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := newWriter.DrainJSON(func(d journal.Document) error { newDocs = append(newDocs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(newDocs) != len(oldDocs) || len(newDocs) != 16 {
		t.Fatalf("drained %d documents by bytes and %d as maps, want 16", len(newDocs), len(oldDocs))
	}
	want, got := stageAll(t, oldDocs), stageAll(t, newDocs)
	if len(got) != len(want) {
		t.Fatalf("bytes path wrote %d journals, map path %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Journal != want[i].Journal {
			t.Errorf("journal %d: bytes path %s, map path %s", i, got[i].Journal, want[i].Journal)
		}
		if !bytes.Equal(got[i].Content, want[i].Content) {
			t.Errorf("%s: bytes path wrote\n%s\nmap path wrote\n%s", want[i].Journal, got[i].Content, want[i].Content)
		}
	}
	// A user's string equal to the placeholder's text is not stamped.
	all := string(bytes.Join([][]byte{got[0].Content, got[1].Content, got[2].Content, got[3].Content}, nil))
	if n := strings.Count(all, journal.UUIDPlaceholder); n != 2 {
		t.Errorf("%d placeholders left in the journals, want the 2 of document 8's own strings", n)
	}
}

// TestDrainJSONAcrossBuffers: documents handed out stay intact when later ones fill a new buffer,
// and a document larger than a buffer is whole.
func TestDrainJSONAcrossBuffers(t *testing.T) {
	w, err := NewCollectionWriter(writerCollection(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", drainChunk+100)
	want := map[int]string{}
	for id := range 2000 {
		s := strings.Repeat("y", id%300)
		if id == 1000 {
			s = big
		}
		want[id] = s
		if err := w.AddJSON([]byte(`{"id":` + strconv.Itoa(id) + `,"s":"` + s + `"}`)); err != nil {
			t.Fatal(err)
		}
	}
	var drained []journal.Document
	if err := w.DrainJSON(func(d journal.Document) error { drained = append(drained, d); return nil }); err != nil {
		t.Fatal(err)
	}
	for id, d := range drained {
		line := `{"_meta":{"uuid":"` + journal.UUIDPlaceholder + `"},"id":` + strconv.Itoa(id) + `,"s":"` + want[id] + `"}`
		if string(d.JSON) != line || d.UUIDAt != len(`{"_meta":{"uuid":"`) {
			t.Fatalf("document %d: %.80s… at %d", id, d.JSON, d.UUIDAt)
		}
	}
}

// TestAddJSONErrors: AddJSON words errors as decoding and Add do, for the document as given.
func TestAddJSONErrors(t *testing.T) {
	w, err := NewCollectionWriter(writerCollection(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in      string
		notJSON bool
		want    string
	}{
		{in: ``, notJSON: true, want: "expected a JSON value, found nothing"},
		{in: `{"id":1`, notJSON: true, want: "invalid JSON: unexpected end of input, expected ',' or '}'"},
		{in: `{"id":1} x`, notJSON: true, want: "invalid JSON: unexpected data after the value at byte 9"},
		{in: `{"id":1,"_meta":{"a":tru}}`, notJSON: true, want: `invalid JSON: unexpected '}' at byte 24, expected "true"`},
		{in: `{"id":1,"_meta":{},"n":1e400}`, notJSON: true, want: "invalid JSON: number out of range at byte 23"},
		{in: `{"id":1,}`, notJSON: true, want: "invalid JSON: unexpected '}' at byte 8, expected a string naming a property"},
		{in: `{"id":1,"_meta":{"a":1,}}`, notJSON: true, want: "invalid JSON: unexpected '}' at byte 23, expected a string naming a property"},
		{in: `[1,2]`, want: "a document of w/events must be a JSON object, not [1,2]"},
		{in: `"<x>"`, want: `a document of w/events must be a JSON object, not "\u003cx\u003e"`},
		{in: `{"id":"one","_meta":{"op":"c"}}`, want: `document {"_meta":{"op":"c"},"id":"one"} does not fit collection w/events: `},
		{in: `{"region":"EU"}`, want: `document {"region":"EU"} does not fit collection w/events: `},
		{in: `{"_meta":[1],"region":"EU"}`, want: `document {"_meta":[1],"region":"EU"} does not fit collection w/events: `},
	} {
		err := w.AddJSON([]byte(tc.in))
		if err == nil {
			t.Errorf("%s: no error", tc.in)
			continue
		}
		if got := errors.As(err, new(*doc.NotJSONError)); got != tc.notJSON {
			t.Errorf("%s: NotJSONError %v, want %v (%v)", tc.in, got, tc.notJSON, err)
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to start with %q", tc.in, err, tc.want)
		}
		if strings.Contains(err.Error(), journal.UUIDPlaceholder) {
			t.Errorf("%s: error shows the placeholder: %v", tc.in, err)
		}
		if tc.notJSON {
			if _, derr := doc.Decode([]byte(tc.in)); derr != nil && derr.Error() != err.Error() {
				t.Errorf("%s: AddJSON says %q, doc.Decode %q", tc.in, err, derr)
			}
		}
	}
	// Nothing was combined.
	n := 0
	if err := w.DrainJSON(func(journal.Document) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("drained %d documents (%v) after only failed adds", n, err)
	}
}

// BenchmarkWriterPublish is a capture transaction's work from the connector's bytes to the
// journal appends, by the map path (decode, Add, Drain, the publisher encoding maps) and by the
// bytes path (AddJSON, DrainJSON, the publisher stamping encoded documents).
func BenchmarkWriterPublish(b *testing.B) {
	coll := catalogtest.Build(b, writerCatalog, nil).Collection("w/events")
	const txnDocs = 1000
	regions := []string{"EU", "US", "APAC"}
	docs := make([][]byte, txnDocs)
	for i := range docs {
		docs[i] = []byte(`{"id":` + strconv.Itoa(i) + `,"customer":"c` + strconv.Itoa(i%23) + `","region":"` + regions[i%3] +
			`","n":` + strconv.Itoa(i%97) + `,"_meta":{"file":"orders.jsonl","line":` + strconv.Itoa(i+1) + `}}`)
	}
	pub := journal.NewPublisher(nil, journal.ProducerID{1, 2, 3, 4, 5, 6}, 0, nil)
	for _, path := range []struct {
		name string
		add  func(*CollectionWriter, []byte) error
		// drain is the writer's Drain or DrainJSON.
		drain func(*CollectionWriter, func(journal.Document) error) error
	}{
		{"map", func(w *CollectionWriter, d []byte) error {
			v, err := doc.Decode(d)
			if err != nil {
				return err
			}
			return w.Add(v)
		}, (*CollectionWriter).Drain},
		{"bytes", (*CollectionWriter).AddJSON, (*CollectionWriter).DrainJSON},
	} {
		b.Run(path.name, func(b *testing.B) {
			w, err := NewCollectionWriter(coll, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			var out []journal.Document
			for b.Loop() {
				for _, d := range docs {
					if err := path.add(w, d); err != nil {
						b.Fatal(err)
					}
				}
				out = out[:0]
				if err := path.drain(w, func(d journal.Document) error { out = append(out, d); return nil }); err != nil {
					b.Fatal(err)
				}
				if _, err := pub.Stage(out); err != nil {
					b.Fatal(err)
				}
				pub.AckIntents()
			}
			b.ReportMetric(float64(txnDocs*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// TestDrainJSONJournalNames: the cached journal names of drained documents are JournalOf's, also
// past the cache's bound and across drains, for null, absent and repeated partition values.
func TestDrainJSONJournalNames(t *testing.T) {
	w, err := NewCollectionWriter(writerCollection(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		var inputs []map[string]any
		for id := range maxCachedJournals + 200 {
			d := `{"id":` + strconv.Itoa(id)
			switch id % 4 {
			case 0:
				d += `,"tier":` + strconv.Itoa(id+round) + `,"region":"r` + strconv.Itoa(id%7) + `"`
			case 1:
				d += `,"tier":null`
			case 2:
				d += `,"region":"EU"`
			}
			d += `}`
			v, err := doc.Decode([]byte(d))
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, v.(map[string]any))
			if err := w.AddJSON([]byte(d)); err != nil {
				t.Fatal(err)
			}
		}
		i := 0
		err := w.DrainJSON(func(d journal.Document) error {
			want, err := w.JournalOf(inputs[i])
			if err != nil {
				return err
			}
			if d.Journal != want {
				t.Errorf("round %d, document %d: journal %s, want %s", round, i, d.Journal, want)
			}
			i++
			return nil
		})
		if err != nil || i != len(inputs) {
			t.Fatalf("round %d: drained %d of %d: %v", round, i, len(inputs), err)
		}
	}
}

// FuzzAddJSON holds the bytes path to the map path for any input: both accept it and write the
// same journal bytes, or both refuse it with the same error. The one difference in wording: a
// number beyond f64's range is not JSON to AddJSON (as to serde_json), while the map path, whose
// decoder keeps numbers as text, refuses it when the document is copied into the combiner.
func FuzzAddJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":1}`, `{"id":1,"_meta":{"uuid":"x","op":"c"}}`, `{"id":2,"_meta":[1]}`, `{"_meta":{}}`,
		`{"id":3,"_m\u0065ta":{"a":1},"_meta":{"b":2}}`, `{"id":4,"s":"\u2028"}`, `[]`, `"x"`, `{`, `{"id":1e400}`,
		` { "id" : 5 , "region" : "EU" , "tier" : -1 } `, `{"id":6,"n":1.5,"n":"x"}`, ``,
	} {
		f.Add([]byte(seed))
	}
	coll := catalogtest.Build(f, writerCatalog, nil).Collection("w/events")
	mapWriter, err := NewCollectionWriter(coll, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	bytesWriter, err := NewCollectionWriter(coll, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var mapErr error
		if v, err := doc.Decode(in); err != nil {
			mapErr = &doc.NotJSONError{Err: err}
		} else {
			mapErr = mapWriter.Add(v)
		}
		bytesErr := bytesWriter.AddJSON(in)
		switch {
		case mapErr == nil && bytesErr == nil:
		case isNotJSON(bytesErr) && strings.Contains(bytesErr.Error(), "number out of range") &&
			mapErr != nil && strings.Contains(mapErr.Error(), "out of range"):
		case mapErr != nil && bytesErr != nil && mapErr.Error() == bytesErr.Error() && isNotJSON(mapErr) == isNotJSON(bytesErr):
		default:
			t.Fatalf("%q: map path %v, bytes path %v", in, mapErr, bytesErr)
		}
		var mapDocs, bytesDocs []journal.Document
		if err := mapWriter.Drain(func(d journal.Document) error { mapDocs = append(mapDocs, d); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := bytesWriter.DrainJSON(func(d journal.Document) error { bytesDocs = append(bytesDocs, d); return nil }); err != nil {
			t.Fatal(err)
		}
		if mapErr != nil || bytesErr != nil {
			return
		}
		want, got := stageAll(t, mapDocs), stageAll(t, bytesDocs)
		if len(want) != 1 || len(got) != 1 || want[0].Journal != got[0].Journal || !bytes.Equal(want[0].Content, got[0].Content) {
			t.Fatalf("%q: map path wrote %q, bytes path %q", in, want, got)
		}
	})
}

// TestAppendDocumentSetsTheUUID: a node without the placeholder (a derivation's output) is
// encoded with it where the publisher's map form sets /_meta/uuid, giving the same journal bytes:
// "_meta" and "uuid" added among properties that sort around them, replacing a uuid or a
// "_meta" that is not an object.
func TestAppendDocumentSetsTheUUID(t *testing.T) {
	const j = "w/events/pivot=00"
	for _, in := range []string{
		`{}`,
		`{"a":1}`,
		`{"A":1,"^":2,"_":3,"_met":4,"_meta0":5,"_metb":6,"a":7}`,
		`{"_meta":{}}`,
		`{"_meta":{"uuid":"old"}}`,
		`{"_meta":{"u":1,"uuid":2,"uuic":3,"uuid0":4,"v":5,"A":6}}`,
		`{"_meta":{"op":"d","uuid":{"nested":true}},"z":[{"_meta":1}]}`,
		`{"_meta":null,"x":1}`,
		`{"_meta":[{"uuid":1}],"x":1}`,
		`{"_meta":"s"}`,
		`{"s":"\u2028 before","_meta":{"a":"\u2029"},"t":"after \u2028"}`,
	} {
		var a node.Arena
		n, err := a.Decode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		line, at := appendDocument(nil, &a, n)
		v, err := doc.Decode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		want := stageAll(t, []journal.Document{{Journal: j, Doc: v.(map[string]any)}})
		got := stageAll(t, []journal.Document{{Journal: j, JSON: line, UUIDAt: at}})
		if !bytes.Equal(got[0].Content, want[0].Content) {
			t.Errorf("%s: encoded\n%s\nmap form\n%s", in, got[0].Content, want[0].Content)
		}
	}
}
