package doc

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// Validator validates a document and returns the `reduce` annotations that applied to it.
// *schema.Schema implements it.
type Validator interface {
	ValidateReduce(doc any) (*schema.Annotation, error)
}

// DefaultMemoryLimit bounds a Combiner's held documents when CombinerSpec.MemoryLimit is zero.
const DefaultMemoryLimit = 256 << 20

// CombinerSpec configures a Combiner.
type CombinerSpec struct {
	Key    []Extractor // the collection key; documents with equal keys reduce together
	Schema Validator
	// MemoryLimit is the estimated bytes of documents held in memory before a sorted run is
	// spilled to a temporary file (default DefaultMemoryLimit).
	MemoryLimit int64
	SpillDir    string // where spill files go ("" = os.TempDir())
}

// Drained is one combined document, emitted in key order.
type Drained struct {
	Key     []byte // the packed key (FoundationDB tuple encoding)
	Doc     any
	Front   bool // the document includes one added with AddFront (it exists at the destination)
	Deleted bool // a full reduction marked the whole document deleted
}

// Combiner reduces documents by key. Each document is validated before it is reduced, and each
// combined document is validated again before it is drained. Past its memory bound it spills
// sorted runs to a temporary file and merges them when drained. It is not safe for concurrent use.
type Combiner struct {
	spec CombinerSpec
	// entries are keyed by packed key while its bytes order keys as Compare does (classes says
	// so), else (byValue) by identity, and sorted by the extracted values.
	entries map[string]*entry
	classes []keyClass
	byValue bool
	held    int64 // estimated bytes of entries
	spill   *spillFile
	keyBuf  []byte
	idBuf   []byte
	red     reducer // reused, so its path is allocated once
}

// entry holds the documents of one key. Usually docs has one document; it has more only when a
// partial reduction was not associative, so later documents wait for a full reduction.
type entry struct {
	key     string // the packed key of the first document
	vals    []any  // the extracted key, kept only when the Combiner orders by value
	docs    []any
	inline  [1]any             // docs' backing array while it holds one document: one allocation less per key
	ann     *schema.Annotation // annotations of docs[0] while it is the only, unreduced document
	front   bool               // docs[0] came from AddFront: reductions into it are full
	reduced bool               // some reduction happened, so the result must be validated again
	deleted bool               // the last full reduction deleted the document
}

// NewCombiner checks the spec and returns an empty Combiner.
func NewCombiner(spec CombinerSpec) (*Combiner, error) {
	if len(spec.Key) == 0 {
		return nil, errors.New("combiner needs a key: at least one JSON pointer")
	}
	if spec.Schema == nil {
		return nil, errors.New("combiner needs a schema to validate documents and read their reduce annotations")
	}
	if spec.MemoryLimit <= 0 {
		spec.MemoryLimit = DefaultMemoryLimit
	}
	return &Combiner{spec: spec, entries: map[string]*entry{}, classes: make([]keyClass, len(spec.Key))}, nil
}

// Add validates doc and reduces it, partially (associatively), into the document of its key.
// The Combiner owns doc afterwards.
func (c *Combiner) Add(doc any) error {
	return c.add(doc, false)
}

// AddFront adds a document loaded from a destination: it becomes the left-most document of its
// key and documents of that key reduce into it fully. At most one per key.
func (c *Combiner) AddFront(doc any) error {
	return c.add(doc, true)
}

func (c *Combiner) add(doc any, front bool) error {
	ann, err := c.spec.Schema.ValidateReduce(doc)
	if err != nil {
		return err // the validator's error already says the document is invalid, where and why
	}
	if !c.packKey(doc) && !c.byValue {
		if err := c.orderByValue(); err != nil {
			return err
		}
	}
	id, vals := c.keyBuf, []any(nil)
	if c.byValue {
		vals = ExtractKey(doc, c.spec.Key)
		c.idBuf = appendIdentities(c.idBuf[:0], vals)
		id = c.idBuf
	}
	size := estimateSize(doc)
	e, ok := c.entries[string(id)]
	switch {
	case !ok:
		key := string(c.keyBuf)
		mapKey := key
		if c.byValue {
			mapKey = string(id)
			size += int64(len(mapKey))
		}
		c.entries[mapKey] = newEntry(key, vals, doc, ann, front)
		c.held += size + entryOverhead + int64(len(key))
	case front:
		if err := c.reduceFront(e, newEntry(e.key, e.vals, doc, ann, true)); err != nil {
			return err
		}
		c.held += size
	default:
		if err := c.reduceInto(e, doc, ann); err != nil {
			return err
		}
		c.held += size
	}
	if c.held > c.spec.MemoryLimit {
		return c.spillEntries()
	}
	return nil
}

// packKey packs doc's key into c.keyBuf straight from the document and reports whether packed
// bytes still order all keys seen as Compare does.
func (c *Combiner) packKey(doc any) bool {
	c.keyBuf = c.keyBuf[:0]
	inOrder := true
	for i, ex := range c.spec.Key {
		v := ex.Extract(doc)
		inOrder = admitValue(&c.classes[i], v) && inOrder
		c.keyBuf = PackValue(c.keyBuf, v)
	}
	return inOrder
}

// orderByValue switches to grouping by identity and ordering by value, for keys that packed
// bytes would misorder or split (mixed types, floats, arrays, objects). Held keys all packed in
// order, so their values come back exactly from their packed bytes.
func (c *Combiner) orderByValue() error {
	byID := make(map[string]*entry, len(c.entries))
	for _, e := range c.entries {
		vals, err := keyValues(e.key)
		if err != nil {
			return fmt.Errorf("combiner cannot read back a key it packed: %w", err)
		}
		e.vals = vals
		c.idBuf = appendIdentities(c.idBuf[:0], vals)
		byID[string(c.idBuf)] = e
		c.held += int64(len(c.idBuf))
	}
	c.entries, c.byValue = byID, true
	return nil
}

// entryOrder orders entries by key: by packed bytes, or by value once the Combiner orders by value.
func entryOrder(byValue bool) func(a, b *entry) int {
	if byValue {
		return func(a, b *entry) int { return compareTuples(a.vals, b.vals) }
	}
	return func(a, b *entry) int { return strings.Compare(a.key, b.key) }
}

// keyExcerpt is the entry's key as JSON, for error messages.
func (e *entry) keyExcerpt() string {
	vals := e.vals
	if vals == nil {
		var err error
		if vals, err = keyValues(e.key); err != nil {
			return fmt.Sprintf("%q", e.key)
		}
	}
	return excerpt(vals)
}

func newEntry(key string, vals []any, doc any, ann *schema.Annotation, front bool) *entry {
	e := &entry{key: key, vals: vals, ann: ann, front: front}
	e.inline[0] = doc
	e.docs = e.inline[:1]
	return e
}

// reduceInto reduces doc (later) into e.
func (c *Combiner) reduceInto(e *entry, doc any, ann *schema.Annotation) error {
	last := len(e.docs) - 1
	out, deleted, err := c.reduce(e.docs[last], true, doc, ann, e.front)
	switch {
	case errors.Is(err, ErrNotAssociative) && !e.front:
		e.docs = append(e.docs, doc) // keep both until a full reduction
	case err != nil:
		return fmt.Errorf("reducing documents of key %s: %w", e.keyExcerpt(), err)
	default:
		e.docs[last] = out
		e.deleted = deleted
	}
	e.ann, e.reduced = nil, true
	return nil
}

// reduceFront makes front the left-most document of e, reducing e's documents into it fully.
func (c *Combiner) reduceFront(e, front *entry) error {
	if e.front {
		return fmt.Errorf("a destination document of key %s was already added; AddFront takes one per key", e.keyExcerpt())
	}
	rest, restAnn := slices.Clone(e.docs), e.ann // e.docs may be e.inline, overwritten next
	*e = *front
	if len(e.docs) == 1 {
		e.docs = e.inline[:1] // not front's array: front itself need not stay reachable
	}
	for i, d := range rest {
		ann := restAnn
		if i > 0 || ann == nil {
			var err error
			if ann, err = c.spec.Schema.ValidateReduce(d); err != nil {
				return combinedInvalid(err)
			}
		}
		if err := c.reduceInto(e, d, ann); err != nil {
			return err
		}
	}
	return nil
}

// combine reduces later (which arrived after e) into e. later's annotations are gone once it has
// been spilled, so its documents are validated again for them.
func (c *Combiner) combine(e, later *entry) error {
	if later.front {
		return c.reduceFront(e, later)
	}
	for i, d := range later.docs {
		ann := later.ann
		if i > 0 || ann == nil {
			var err error
			if ann, err = c.spec.Schema.ValidateReduce(d); err != nil {
				return combinedInvalid(err)
			}
		}
		if err := c.reduceInto(e, d, ann); err != nil {
			return err
		}
	}
	e.reduced = e.reduced || later.reduced
	return nil
}

// Drain emits every combined document in key order and empties the Combiner. With full, each
// document is the root-most of its key: remaining documents reduce fully, deletions apply and
// set terms are pruned. Every document that was reduced is validated again first.
func (c *Combiner) Drain(full bool, fn func(Drained) error) error {
	mem, byValue, spill := c.sortedEntries(), c.byValue, c.spill
	c.entries, c.held, c.byValue, c.spill = map[string]*entry{}, 0, false, nil
	clear(c.classes)
	if spill == nil {
		for _, e := range mem {
			if err := c.finish(e, full, fn); err != nil {
				return err
			}
		}
		return nil
	}
	defer spill.close()
	return spill.merge(mem, byValue, c.combine, func(e *entry) error { return c.finish(e, full, fn) })
}

func (c *Combiner) sortedEntries() []*entry {
	out := make([]*entry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e)
	}
	slices.SortFunc(out, entryOrder(c.byValue))
	return out
}

// finish validates and emits one key's documents.
func (c *Combiner) finish(e *entry, full bool, fn func(Drained) error) error {
	if full && !e.front {
		if err := c.reduceFully(e); err != nil {
			return err
		}
	}
	for _, d := range e.docs {
		if e.reduced {
			if _, err := c.spec.Schema.ValidateReduce(d); err != nil {
				return combinedInvalid(err)
			}
		}
		// Packed from the combined document, whose key may be written differently (20.0 for 20).
		out := Drained{Key: PackKey(make([]byte, 0, len(e.key)), d, c.spec.Key), Doc: d, Front: e.front, Deleted: e.deleted}
		if err := fn(out); err != nil {
			return err
		}
	}
	return nil
}

// reduceFully folds e's documents into one with full reductions, starting from no document. The
// validation that yields the first document's annotations also stands as its re-validation, so
// afterwards e.reduced says only whether the full pass changed anything.
func (c *Combiner) reduceFully(e *entry) error {
	var acc any
	changed := len(e.docs) > 1
	for i, d := range e.docs {
		ann := e.ann
		if i > 0 || ann == nil {
			var err error
			if ann, err = c.spec.Schema.ValidateReduce(d); err != nil {
				return combinedInvalid(err)
			}
		}
		out, deleted, err := c.reduce(acc, i > 0, d, ann, true)
		if err != nil {
			return fmt.Errorf("reducing documents of key %s: %w", e.keyExcerpt(), err)
		}
		acc, e.deleted = out, deleted
		changed = changed || c.red.changed
	}
	e.docs, e.ann, e.reduced = append(e.docs[:0], acc), nil, changed
	return nil
}

// reduce is ReduceRoot with the Combiner's reused reducer; afterwards c.red.changed says
// whether the reduction changed a document reduced alone.
func (c *Combiner) reduce(lhs any, lhsOK bool, rhs any, ann *schema.Annotation, full bool) (any, bool, error) {
	c.red = reducer{full: full, path: c.red.path[:0]}
	return c.red.reduce(lhs, lhsOK, rhs, ann)
}

// combinedInvalid marks a validation error of a document the combiner reduced, as Flow words it.
// (*schema.Schema's errors begin "document is invalid: ".)
func combinedInvalid(err error) error {
	return fmt.Errorf("combined %w", err)
}
