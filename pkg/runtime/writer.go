package runtime

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/schema"
)

// uuidPlaceholder stands in for a document's UUID while it is validated and combined, as Flow's
// runtime does, so that schemas requiring /_meta/uuid accept it. The publisher replaces it.
const uuidPlaceholder = "DocUUIDPlaceholder-329Bb50aa48EAa9ef"

// CollectionWriter validates and combines a transaction's documents for one collection, and routes
// combined documents to the journal of their logical partition. Every task that writes a collection
// (captures, derivations, ingests, the test runner) writes through one, so all name journals alike.
type CollectionWriter struct {
	coll       *catalog.BuiltCollection
	partitions []partitionField
	combiner   *doc.Combiner
}

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
	meta, _ := obj["_meta"].(map[string]any)
	added := meta == nil
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
		if added {
			delete(obj, "_meta")
		}
		return fmt.Errorf("document %s does not fit collection %s: %w", abbreviate(obj), w.coll.Name, err)
	}
	return nil
}

// Drain routes every combined document to its journal, in key order, and empties the writer.
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
