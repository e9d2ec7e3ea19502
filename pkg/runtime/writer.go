package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// uuidPlaceholder stands in for a document's UUID while it is validated and combined, as Flow's
// runtime does, so that schemas requiring /_meta/uuid accept it. The publisher replaces it.
const uuidPlaceholder = journal.UUIDPlaceholder

// CollectionWriter validates and combines a transaction's documents for one collection, and routes
// combined documents to the journal of their logical partition. Every task that writes a collection
// (captures, derivations, ingests, the test runner) writes through one, so all name journals alike.
type CollectionWriter struct {
	coll       *catalog.BuiltCollection
	partitions []partitionField
	combiner   *doc.Combiner
	lex        node.Lexer // AddJSON's walk of a document's top level
	scratch    []byte     // a document with the placeholder, as AddJSON hands it to the combiner
	// journals caches journal names by the JSON of their partition values, which a
	// transaction's documents repeat.
	journals map[string]string
	values   []node.Node
	valueKey []byte
}

// maxCachedJournals bounds the journal name cache of a collection with many partitions.
const maxCachedJournals = 1024

type partitionField struct {
	field string
	ptr   doc.Pointer
}

// NewCollectionWriter prepares a writer of collection c whose combiner spills to spillDir ("": the
// system's temporary directory).
func NewCollectionWriter(c *catalog.BuiltCollection, spillDir string) (*CollectionWriter, error) {
	key, err := doc.KeyExtractors(c.WriteSchema.Shape(), c.Key)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", c.Name, err)
	}
	comb, err := doc.NewCombiner(doc.CombinerSpec{Key: key, Schema: c.WriteSchema, SpillDir: spillDir})
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", c.Name, err)
	}
	w := &CollectionWriter{coll: c, combiner: comb}
	for _, f := range c.PartitionFields {
		i := slices.IndexFunc(c.Projections, func(p schema.Projection) bool { return p.Field == f })
		if i < 0 {
			return nil, fmt.Errorf("collection %s partitions on %s, which is not one of its projections", c.Name, f)
		}
		ptr, err := doc.ParsePointer(c.Projections[i].Ptr)
		if err != nil {
			return nil, fmt.Errorf("collection %s: partition %s: %w", c.Name, f, err)
		}
		w.partitions = append(w.partitions, partitionField{field: f, ptr: ptr})
	}
	return w, nil
}

// Add validates a document against the write schema and combines it by key.
func (w *CollectionWriter) Add(d any) error {
	obj, ok := d.(map[string]any)
	if !ok {
		return fmt.Errorf("a document of %s must be a JSON object, not %s", w.coll.Name, abbreviate(d))
	}
	priorMeta, hadMeta := obj["_meta"]
	meta, _ := priorMeta.(map[string]any)
	added := meta == nil // absent, or not an object: replaced
	if added {
		meta = map[string]any{}
		obj["_meta"] = meta
	}
	prior, hadUUID := meta["uuid"]
	meta["uuid"] = uuidPlaceholder
	if err := w.combiner.Add(obj); err != nil {
		// Show the document as it was given, without the placeholder.
		if delete(meta, "uuid"); hadUUID {
			meta["uuid"] = prior
		}
		if added && hadMeta {
			obj["_meta"] = priorMeta
		} else if added {
			delete(obj, "_meta")
		}
		return fmt.Errorf("document %s does not fit collection %s: %w", abbreviate(obj), w.coll.Name, err)
	}
	return nil
}

// AddJSON is Add for a JSON document: it is decoded straight into the combiner, with the
// placeholder at /_meta/uuid. Bytes that are not JSON fail with a *doc.NotJSONError.
func (w *CollectionWriter) AddJSON(b []byte) error {
	withUUID, err := w.withPlaceholder(b)
	if errors.Is(err, errNotObject) {
		d, _ := doc.Decode(b) // valid JSON: the walk read it all
		return fmt.Errorf("a document of %s must be a JSON object, not %s", w.coll.Name, abbreviate(d))
	} else if err != nil {
		return &doc.NotJSONError{Err: err}
	}
	if err := w.combiner.AddJSON(withUUID); isNotJSON(err) {
		// Only a number out of range gets here (the walk does not parse numbers), at an offset the
		// placeholder may have moved: the decoder words it for the document as given.
		return w.combiner.AddJSON(b)
	} else if err != nil {
		d, _ := doc.Decode(b) // the document as given, without the placeholder
		return fmt.Errorf("document %s does not fit collection %s: %w", abbreviate(d), w.coll.Name, err)
	}
	return nil
}

// isNotJSON reports whether err is a *doc.NotJSONError, without allocating when err is nil.
func isNotJSON(err error) bool {
	var notJSON *doc.NotJSONError
	return err != nil && errors.As(err, &notJSON)
}

var errNotObject = errors.New("not a JSON object")

// withPlaceholder returns the JSON object b with the placeholder at /_meta/uuid (in w.scratch):
// "uuid" is added as the last property of the document's last "_meta" when that is an object,
// else "_meta":{"uuid":…} as the document's last property. Decoders keep the last of duplicate
// properties, so this replaces a uuid the document had (or a "_meta" that is not an object) and
// nothing else, as Add does. The walk reads every token, so bytes that are not JSON fail here
// with the lexer's error, as the decoder words it.
func (w *CollectionWriter) withPlaceholder(b []byte) ([]byte, error) {
	l := &w.lex
	l.Reset(b)
	defer func() { l.Data = nil }() // do not keep the caller's buffer
	if err := l.Start(); err != nil {
		return nil, err
	}
	if b[l.Pos] != '{' {
		if err := skipValue(l); err != nil {
			return nil, err
		}
		if err := l.Finish(); err != nil {
			return nil, err
		}
		return nil, errNotObject
	}
	open := l.Pos
	metaOpen, metaClose := -1, -1 // the braces of the last "_meta", when an object
	if err := l.Enter(); err != nil {
		return nil, err
	}
	for more := !l.Empty('}'); more; {
		name, err := l.Name()
		if err != nil {
			return nil, err
		}
		start := l.Pos
		if err := skipValue(l); err != nil {
			return nil, err
		}
		if string(name) == "_meta" {
			metaOpen, metaClose = -1, -1
			if b[start] == '{' {
				metaOpen, metaClose = start, l.Pos-1
			}
		}
		if more, err = l.Next('}'); err != nil {
			return nil, err
		}
	}
	end := l.Pos - 1 // the document's closing brace
	if err := l.Finish(); err != nil {
		return nil, err
	}
	out := w.scratch[:0]
	if metaOpen >= 0 {
		out = append(out, b[:metaClose]...)
		if len(bytes.TrimSpace(b[metaOpen+1:metaClose])) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"uuid":"`+uuidPlaceholder+`"`...)
		out = append(out, b[metaClose:]...)
	} else {
		out = append(out, b[:end]...)
		if len(bytes.TrimSpace(b[open+1:end])) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"_meta":{"uuid":"`+uuidPlaceholder+`"}`...)
		out = append(out, b[end:]...)
	}
	w.scratch = out
	return out, nil
}

// skipValue moves l past the value at its position, reading every token.
func skipValue(l *node.Lexer) error {
	if l.Pos >= len(l.Data) {
		return l.Fail("a value")
	}
	switch c := l.Data[l.Pos]; {
	case c == '"':
		_, err := l.String()
		return err
	case c == '{', c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		if err := l.Enter(); err != nil {
			return err
		}
		if l.Empty(closing) {
			return nil
		}
		for {
			if closing == '}' {
				if _, err := l.Name(); err != nil {
					return err
				}
			}
			if err := skipValue(l); err != nil {
				return err
			}
			if more, err := l.Next(closing); err != nil || !more {
				return err
			}
		}
	case c == 't':
		return l.Literal("true")
	case c == 'f':
		return l.Literal("false")
	case c == 'n':
		return l.Literal("null")
	case c == '-' || '0' <= c && c <= '9':
		_, err := l.Number()
		return err
	}
	return l.Fail("a value")
}

// DrainJSON routes every combined document to its journal, in key order, as the JSON it is
// written as (journal.Document's JSON form, with the placeholder at UUIDAt), and empties the
// writer. The documents' bytes stay valid after it returns.
func (w *CollectionWriter) DrainJSON(fn func(journal.Document) error) error {
	var e drainEncoder
	return w.combiner.Drain(false, func(d doc.Drained) error {
		out, err := w.encode(&e, d)
		if err != nil {
			return err
		}
		return fn(out)
	})
}

// drainEncoder holds the buffers a drain's documents are encoded into. They double from 4 KiB (a
// small transaction stays small) to drainChunk; a document that outgrows its buffer moves the rest
// to a new one, leaving the bytes of documents already handed out as they are.
type drainEncoder struct{ buf []byte }

const drainChunk = 256 << 10

// encode routes a drained document of the writer's collection to its journal and encodes it in
// journal.Document's JSON form.
func (w *CollectionWriter) encode(e *drainEncoder, d doc.Drained) (journal.Document, error) {
	if d.Node.Kind() != node.Object {
		return journal.Document{}, fmt.Errorf("combined document of %s is not an object", w.coll.Name)
	}
	name, err := w.journalOfNode(d)
	if err != nil {
		return journal.Document{}, err
	}
	if cap(e.buf)-len(e.buf) < cap(e.buf)/16+64 {
		e.buf = make([]byte, 0, min(drainChunk, max(4<<10, 2*cap(e.buf))))
	}
	start := len(e.buf)
	var at int
	e.buf, at = appendDocument(e.buf, d.Arena, d.Node)
	return journal.Document{Journal: name, JSON: e.buf[start:len(e.buf):len(e.buf)], UUIDAt: at - start}, nil
}

// appendDocument appends the object n with /_meta/uuid set to the placeholder, as the publisher's
// map form sets it and encodes the document (compact, properties by name, Flow's number forms,
// U+2028 and U+2029 escaped as encoding/json escapes them): a "_meta" that is absent or not an
// object becomes {"uuid":…}. It returns the offset in buf of the placeholder's text.
func appendDocument(buf []byte, a *node.Arena, n node.Node) ([]byte, int) {
	start, at := len(buf), 0
	buf = appendWithMember(buf, a, a.Fields(n), "_meta", func(buf []byte, meta node.Node) []byte {
		var fields []node.Field
		if meta.Kind() == node.Object {
			fields = a.Fields(meta)
		}
		return appendWithMember(buf, a, fields, "uuid", func(buf []byte, _ node.Node) []byte {
			at = len(buf) + 1
			return append(buf, `"`+uuidPlaceholder+`"`...)
		})
	})
	return escapeLineSeparators(buf, start, at)
}

// appendWithMember appends an object of fields (sorted by name) as JSON with its member `name`,
// present or not, written by put in its sorted place; put is given the member's value, or null.
func appendWithMember(buf []byte, a *node.Arena, fields []node.Field, name string, put func([]byte, node.Node) []byte) []byte {
	buf = append(buf, '{')
	written, placed := 0, false
	for _, f := range fields {
		field := a.Str(f.Name)
		if !placed && field >= name {
			placed = true
			value := node.NullNode
			if field == name {
				value = f.Value
			}
			buf = put(appendMemberName(buf, written, name), value)
			written++
			if field == name {
				continue
			}
		}
		buf = a.AppendJSON(appendMemberName(buf, written, field), f.Value)
		written++
	}
	if !placed {
		buf = put(appendMemberName(buf, written, name), node.NullNode)
	}
	return append(buf, '}')
}

// appendMemberName appends an object member's name and colon, after a comma unless it is the first.
func appendMemberName(buf []byte, index int, name string) []byte {
	if index > 0 {
		buf = append(buf, ',')
	}
	buf = node.AppendString(buf, name)
	return append(buf, ':')
}

// escapeLineSeparators escapes U+2028 and U+2029 in the document at buf[start:], as encoding/json
// does (they end lines in JavaScript) and node.AppendString does not, so that journals hold the
// bytes the map form wrote. They occur only within strings; at moves with the bytes before it.
func escapeLineSeparators(buf []byte, start, at int) ([]byte, int) {
	if bytes.IndexByte(buf[start:], 0xe2) < 0 { // the first byte of both
		return buf, at
	}
	text := buf[start:]
	for _, sep := range [...]struct{ raw, escaped string }{{"\u2028", `\u2028`}, {"\u2029", `\u2029`}} {
		at += (len(sep.escaped) - len(sep.raw)) * bytes.Count(text[:at-start], []byte(sep.raw))
		text = bytes.ReplaceAll(text, []byte(sep.raw), []byte(sep.escaped))
	}
	return append(buf[:start], text...), at
}

// Drain routes every combined document to its journal, in key order, in the map form, and
// empties the writer; DrainJSON is the faster form for callers that only publish them.
func (w *CollectionWriter) Drain(fn func(journal.Document) error) error {
	return w.combiner.Drain(false, func(d doc.Drained) error {
		obj, ok := d.Doc().(map[string]any)
		if !ok {
			return fmt.Errorf("combined document of %s is not an object", w.coll.Name)
		}
		name, err := w.JournalOf(obj)
		if err != nil {
			return err
		}
		return fn(journal.Document{Journal: name, Doc: obj})
	})
}

// JournalOf names the journal of a document's logical partition.
func (w *CollectionWriter) JournalOf(obj map[string]any) (string, error) {
	values := make([]journal.PartitionValue, len(w.partitions))
	for i, p := range w.partitions {
		v, _ := p.ptr.Query(obj)
		values[i] = journal.PartitionValue{Field: p.field, Value: v}
	}
	name, err := journal.JournalName(w.coll.Name, values)
	if err != nil {
		return "", fmt.Errorf("document %s of %s: partition: %w", abbreviate(obj), w.coll.Name, err)
	}
	return name, nil
}

// journalOfNode is JournalOf for a drained document. Partition values are scalars: only they are
// copied out of the arena, the first time the writer meets them.
func (w *CollectionWriter) journalOfNode(d doc.Drained) (string, error) {
	values := w.values[:0]
	key := w.valueKey[:0]
	for _, p := range w.partitions {
		v, _ := p.ptr.QueryNode(d.Arena, d.Node) // null when absent, as JournalOf has it
		values = append(values, v)
		// The kind tells a non-finite float (which names no journal) from null; JSON values
		// delimit themselves.
		key = d.Arena.AppendJSON(append(key, byte(v.Kind())), v)
	}
	w.values, w.valueKey = values, key
	if name, ok := w.journals[string(key)]; ok {
		return name, nil
	}
	partition := make([]journal.PartitionValue, len(w.partitions))
	for i, p := range w.partitions {
		partition[i] = journal.PartitionValue{Field: p.field, Value: d.Arena.ToAny(values[i])}
	}
	name, err := journal.JournalName(w.coll.Name, partition)
	if err != nil {
		return "", fmt.Errorf("document %s of %s: partition: %w", abbreviate(d.Doc()), w.coll.Name, err)
	}
	if w.journals == nil || len(w.journals) >= maxCachedJournals {
		w.journals = map[string]string{}
	}
	w.journals[string(key)] = name
	return name, nil
}

// abbreviate renders a document for an error message, cut short if long.
func abbreviate(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
