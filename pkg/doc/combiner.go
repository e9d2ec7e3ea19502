package doc

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"slices"
	"strings"
	"unsafe"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// Validator validates a document held in an arena and returns the `reduce` annotations that
// applied to it. *schema.Schema implements it.
type Validator interface {
	ValidateReduceNode(a *node.Arena, doc node.Node) (*schema.Annotation, error)
}

// DefaultMemoryLimit bounds a Combiner's held documents when CombinerSpec.MemoryLimit is zero.
const DefaultMemoryLimit = 256 << 20

// CombinerSpec configures a Combiner.
type CombinerSpec struct {
	Key    []Extractor // the collection key; documents with equal keys reduce together
	Schema Validator
	// MemoryLimit is the bytes of documents (the arena) and entries held in memory before a
	// sorted run is spilled to a temporary file (default DefaultMemoryLimit).
	MemoryLimit int64
	SpillDir    string // where spill files go ("" = os.TempDir())
}

// Drained is one combined document, emitted in key order. It refers into the Combiner's arena:
// Key, Arena and Node are valid only until the callback it was passed to returns.
type Drained struct {
	Key     []byte // the packed key (FoundationDB tuple encoding)
	Front   bool   // the document includes one added with AddFront (it exists at the destination)
	Deleted bool   // a full reduction marked the whole document deleted
	Arena   *node.Arena
	Node    node.Node
}

// Doc copies the document out of the arena as encoding/json's values.
func (d Drained) Doc() any { return d.Arena.ToAny(d.Node) }

// AppendJSON appends the document's compact JSON, properties sorted by name.
func (d Drained) AppendJSON(buf []byte) []byte { return d.Arena.AppendJSON(buf, d.Node) }

// Combiner reduces documents by key. Each document is validated before it is reduced, and each
// combined document is validated again before it is drained. Documents are held as nodes in one
// arena; past its memory bound the Combiner spills a sorted run to a temporary file, resets the
// arena and merges the runs when drained. It is not safe for concurrent use.
type Combiner struct {
	spec  CombinerSpec
	arena node.Arena
	// entries are found by id: the packed key while its bytes order keys as Compare does
	// (classes says so), else (byValue) the identity of the key's values, and are then sorted by
	// those values.
	entries []entry
	table   entryTable
	classes []keyClass
	byValue bool
	spill   *spillFile
	keyBuf  []byte
	idBuf   []byte
	red     nodeReducer // reused, so its buffers are allocated once
}

// entry holds the documents of one key, all of them nodes of the Combiner's arena, so the
// entries hold no Go pointers but an annotation and, rarely, waiting documents.
type entry struct {
	key  node.Node // the packed key of the first document, a String
	id   node.Node // what the table finds the entry by: key, or the values' identity (byValue)
	vals node.Node // byValue: the key's values, an Array
	hash uint64    // of id
	doc  node.Node // the first document; usually the only one
	// more are later documents, when a partial reduction was not associative, which wait for a
	// full reduction.
	more    []node.Node
	ann     *schema.Annotation // annotations of doc while it is the only, unreduced document
	front   bool               // doc came from AddFront: reductions into it are full
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
	c := &Combiner{spec: spec, classes: make([]keyClass, len(spec.Key))}
	c.table.seed = maphash.MakeSeed()
	c.red.arena = &c.arena
	return c, nil
}

// NotJSONError is the error of AddJSON and AddFrontJSON for bytes that are not one JSON document,
// and of Add and AddFront for a value that is not one (a Go type other than JSON's, a number beyond
// f64's range), so callers can tell it from an invalid document. Its message is the decoder's.
type NotJSONError struct{ Err error }

func (e *NotJSONError) Error() string { return e.Err.Error() }
func (e *NotJSONError) Unwrap() error { return e.Err }

// AddJSON decodes a JSON document, validates it and reduces it, partially (associatively), into
// the document of its key.
func (c *Combiner) AddJSON(b []byte) error {
	d, err := c.arena.Decode(b)
	if err != nil {
		return &NotJSONError{err}
	}
	return c.add(d, false)
}

// AddFrontJSON adds a JSON document loaded from a destination: it becomes the left-most document
// of its key and documents of that key reduce into it fully. At most one per key.
func (c *Combiner) AddFrontJSON(b []byte) error {
	d, err := c.arena.Decode(b)
	if err != nil {
		return &NotJSONError{err}
	}
	return c.add(d, true)
}

// Add is AddJSON for a document already decoded into encoding/json's values.
func (c *Combiner) Add(doc any) error {
	d, err := c.arena.FromValue(doc)
	if err != nil {
		return &NotJSONError{err}
	}
	return c.add(d, false)
}

// AddFront is AddFrontJSON for a document already decoded into encoding/json's values.
func (c *Combiner) AddFront(doc any) error {
	d, err := c.arena.FromValue(doc)
	if err != nil {
		return &NotJSONError{err}
	}
	return c.add(d, true)
}

func (c *Combiner) add(doc node.Node, front bool) error {
	a := &c.arena
	ann, err := c.spec.Schema.ValidateReduceNode(a, doc)
	if err != nil {
		return err // the validator's error already says the document is invalid, where and why
	}
	if !c.packKey(a, doc) && !c.byValue {
		c.orderByValue()
	}
	id, vals := c.keyBuf, node.Node{}
	if c.byValue {
		vals = c.keyValues(a, doc)
		c.idBuf = appendIdentity(c.idBuf[:0], a, vals)
		id = c.idBuf
	}
	hash := maphash.Bytes(c.table.seed, id)
	i, found := c.find(id, hash)
	switch {
	case !found:
		key := a.BytesNode(c.keyBuf)
		e := entry{key: key, id: key, vals: vals, hash: hash, doc: doc, ann: ann, front: front}
		if c.byValue {
			e.id = a.BytesNode(id)
		}
		c.insert(e)
	case front:
		e := &c.entries[i]
		if err := c.reduceFront(a, e, entry{key: e.key, id: e.id, vals: e.vals, hash: e.hash, doc: doc, ann: ann, front: true}); err != nil {
			return err
		}
	default:
		if err := c.reduceInto(a, &c.entries[i], doc, ann); err != nil {
			return err
		}
	}
	if c.held() > c.spec.MemoryLimit {
		return c.spillEntries()
	}
	return nil
}

// LastKey is the packed key of the document last added, valid until the next call.
func (c *Combiner) LastKey() []byte { return c.keyBuf }

// held is the memory the Combiner's documents take: the arena's nodes, and each entry with its
// share of the table (four 4-byte slots: the table is at most a quarter full once grown). Memory
// kept for reuse after a spill is not held: counting it, a limit it alone passes would spill every
// document as a run of its own.
func (c *Combiner) held() int64 {
	return c.arena.Size() + int64(len(c.entries))*(int64(unsafe.Sizeof(entry{}))+4*4)
}

// packKey packs doc's key into c.keyBuf and reports whether packed bytes still order all keys
// seen as Compare does.
func (c *Combiner) packKey(a *node.Arena, doc node.Node) bool {
	c.keyBuf = c.keyBuf[:0]
	inOrder := true
	for i, ex := range c.spec.Key {
		v := ex.ExtractNode(a, doc)
		inOrder = admitNode(&c.classes[i], v) && inOrder
		c.keyBuf = PackValueNode(c.keyBuf, a, v)
	}
	return inOrder
}

// keyValues extracts doc's key as an Array of the arena.
func (c *Combiner) keyValues(a *node.Arena, doc node.Node) node.Node {
	arr, items := a.NewArray(len(c.spec.Key))
	for i, ex := range c.spec.Key {
		items[i] = ex.ExtractNode(a, doc)
	}
	return arr
}

// orderByValue switches to finding entries by identity and ordering them by value, for keys that
// packed bytes would misorder or split (mixed types, floats, arrays, objects). A held entry's key
// values are extracted again from its first document, which holds its key.
func (c *Combiner) orderByValue() {
	a := &c.arena
	c.byValue = true
	c.table.clear()
	for i := range c.entries {
		e := &c.entries[i]
		e.vals = c.keyValues(a, e.doc)
		c.idBuf = appendIdentity(c.idBuf[:0], a, e.vals)
		e.id, e.hash = a.BytesNode(c.idBuf), maphash.Bytes(c.table.seed, c.idBuf)
	}
	c.table.rebuild(c.entries)
}

// find returns the index of the entry of id.
func (c *Combiner) find(id []byte, hash uint64) (int, bool) {
	t := &c.table
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(t.slots) - 1)
	for s := hash & mask; ; s = (s + 1) & mask {
		i := t.slots[s] - 1
		if i < 0 {
			return 0, false
		}
		e := &c.entries[i]
		if e.hash == hash && c.arena.Str(e.id) == string(id) {
			return int(i), true
		}
	}
}

// insert appends a new entry and indexes it.
func (c *Combiner) insert(e entry) {
	c.entries = append(c.entries, e)
	if 2*len(c.entries) > len(c.table.slots) {
		c.table.grow(c.entries)
		return
	}
	c.table.put(e.hash, len(c.entries)-1)
}

// entryTable indexes entries by the hash of their id with open addressing. Slots hold an entry's
// index plus one (zero is empty), so the table holds no pointers and entries no map keys.
type entryTable struct {
	seed  maphash.Seed
	slots []int32
}

func (t *entryTable) put(hash uint64, i int) {
	mask := uint64(len(t.slots) - 1)
	s := hash & mask
	for t.slots[s] != 0 {
		s = (s + 1) & mask
	}
	t.slots[s] = int32(i + 1)
}

// grow makes the table a quarter full (at most half, so probes stay short; a power of two, so a
// mask picks the slot) and indexes entries again.
func (t *entryTable) grow(entries []entry) {
	t.slots = make([]int32, max(1024, 1<<bits.Len(uint(4*len(entries)-1))))
	for i := range entries {
		t.put(entries[i].hash, i)
	}
}

// rebuild indexes entries again, after their hashes changed.
func (t *entryTable) rebuild(entries []entry) {
	clear(t.slots)
	for i := range entries {
		t.put(entries[i].hash, i)
	}
}

func (t *entryTable) clear() { clear(t.slots) }

// entryOrder orders entries of arena a by key: by packed bytes, or by value once the Combiner
// orders by value.
func entryOrder(a *node.Arena, byValue bool) func(x, y *entry) int {
	if byValue {
		return func(x, y *entry) int { return a.Compare(x.vals, y.vals) }
	}
	return func(x, y *entry) int { return strings.Compare(a.Str(x.key), a.Str(y.key)) }
}

// keyExcerpt is the key of the entry's document as JSON, for error messages.
func (c *Combiner) keyExcerpt(a *node.Arena, e *entry) string {
	return excerptNode(a, c.keyValues(a, e.doc))
}

// excerptNode keeps error messages readable when values are large. It copies out of the arena.
func excerptNode(a *node.Arena, n node.Node) string {
	const limit = 200
	b := a.AppendJSON(nil, n)
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}

// reduceInto reduces doc (later) into e.
func (c *Combiner) reduceInto(a *node.Arena, e *entry, doc node.Node, ann *schema.Annotation) error {
	lhs := e.doc
	if len(e.more) > 0 {
		lhs = e.more[len(e.more)-1]
	}
	out, deleted, err := c.reduce(a, lhs, true, doc, ann, e.front)
	switch {
	case errors.Is(err, ErrNotAssociative) && !e.front:
		e.more = append(e.more, doc) // keep both until a full reduction
	case err != nil:
		return fmt.Errorf("reducing documents of key %s: %w", c.keyExcerpt(a, e), err)
	case len(e.more) > 0:
		e.more[len(e.more)-1] = out
		e.deleted = deleted
	default:
		e.doc, e.deleted = out, deleted
	}
	e.ann, e.reduced = nil, true
	return nil
}

// docs are e's documents in order.
func (e *entry) docs() []node.Node {
	return append([]node.Node{e.doc}, e.more...)
}

// reduceFront makes front the left-most document of e, reducing e's documents into it fully.
func (c *Combiner) reduceFront(a *node.Arena, e *entry, front entry) error {
	if e.front {
		return fmt.Errorf("a destination document of key %s was already added; AddFront takes one per key", c.keyExcerpt(a, e))
	}
	rest, restAnn := e.docs(), e.ann
	*e = front
	return c.reduceEach(a, e, rest, restAnn)
}

// combine reduces later (which arrived after e) into e. later's annotations are gone once it has
// been spilled, so its documents are validated again for them.
func (c *Combiner) combine(a *node.Arena, e, later *entry) error {
	if later.front {
		return c.reduceFront(a, e, *later)
	}
	if err := c.reduceEach(a, e, later.docs(), later.ann); err != nil {
		return err
	}
	e.reduced = e.reduced || later.reduced
	return nil
}

// reduceEach reduces docs, in order, into e; first is the annotation kept for docs[0], or nil.
func (c *Combiner) reduceEach(a *node.Arena, e *entry, docs []node.Node, first *schema.Annotation) error {
	for i, d := range docs {
		ann, err := c.annotation(a, i, d, first)
		if err != nil {
			return err
		}
		if err := c.reduceInto(a, e, d, ann); err != nil {
			return err
		}
	}
	return nil
}

// annotation returns the reduce annotations of the i-th document of an entry: those kept for the
// first when it was added (first, unless nil), else those of validating it again.
func (c *Combiner) annotation(a *node.Arena, i int, d node.Node, first *schema.Annotation) (*schema.Annotation, error) {
	if i == 0 && first != nil {
		return first, nil
	}
	ann, err := c.spec.Schema.ValidateReduceNode(a, d)
	if err != nil {
		return nil, combinedInvalid(err)
	}
	return ann, nil
}

// Drain emits every combined document in key order and empties the Combiner, keeping its arena
// for the next documents. With full, each document is the root-most of its key: remaining
// documents reduce fully, deletions apply and set terms are pruned. Every document that was
// reduced is validated again first.
func (c *Combiner) Drain(full bool, fn func(Drained) error) error {
	defer c.reset()
	if c.spill != nil {
		return c.drainSpilled(full, fn)
	}
	for _, i := range c.sortedEntries() {
		if err := c.finish(&c.arena, &c.entries[i], full, fn); err != nil {
			return err
		}
	}
	return nil
}

// reset forgets every entry, run and key class, and reuses the arena.
func (c *Combiner) reset() {
	if c.spill != nil {
		c.spill.close()
		c.spill = nil
	}
	c.forgetEntries()
	// Release what one large transaction needed.
	if c.arena.Capacity() > keptAfterDrain {
		c.arena.Reset()
	}
	if int64(cap(c.entries))*int64(unsafe.Sizeof(entry{}))+int64(len(c.table.slots))*4 > keptAfterDrain {
		c.entries, c.table.slots = nil, nil
	}
	c.byValue = false
	clear(c.classes)
}

// keptAfterDrain bounds the arena memory, and that of entries and table, a Combiner keeps between
// drains for the next transaction's documents.
const keptAfterDrain = 16 << 20

// forgetEntries empties the entries and the arena, keeping their memory: after a spill the
// arena fills again at once, so its chunks are reused rather than left to the collector.
func (c *Combiner) forgetEntries() {
	clear(c.entries) // drop the annotations and waiting documents for the garbage collector
	c.entries = c.entries[:0]
	c.table.clear()
	c.arena.Rewind()
}

// sortedEntries are the indices of the entries in key order.
func (c *Combiner) sortedEntries() []int32 {
	order := make([]int32, len(c.entries))
	for i := range order {
		order[i] = int32(i)
	}
	cmp := entryOrder(&c.arena, c.byValue)
	slices.SortFunc(order, func(x, y int32) int { return cmp(&c.entries[x], &c.entries[y]) })
	return order
}

// finish validates and emits one key's documents.
func (c *Combiner) finish(a *node.Arena, e *entry, full bool, fn func(Drained) error) error {
	if full && !e.front {
		if err := c.reduceFully(a, e); err != nil {
			return err
		}
	}
	for i, n := 0, 1+len(e.more); i < n; i++ {
		d := e.doc
		if i > 0 {
			d = e.more[i-1]
		}
		if e.reduced {
			if _, err := c.spec.Schema.ValidateReduceNode(a, d); err != nil {
				return combinedInvalid(err)
			}
		}
		// Packed from the combined document, whose key may be written differently (20.0 for 20).
		c.keyBuf = PackKeyNode(c.keyBuf[:0], a, d, c.spec.Key)
		out := Drained{Key: c.keyBuf, Front: e.front, Deleted: e.deleted, Arena: a, Node: d}
		if err := fn(out); err != nil {
			return err
		}
	}
	return nil
}

// reduceFully folds e's documents into one with full reductions, starting from no document. The
// validation that yields the first document's annotations also stands as its re-validation, so
// afterwards e.reduced says only whether the full pass changed anything.
func (c *Combiner) reduceFully(a *node.Arena, e *entry) error {
	var acc node.Node
	changed := len(e.more) > 0
	for i, n := 0, 1+len(e.more); i < n; i++ {
		d := e.doc
		if i > 0 {
			d = e.more[i-1]
		}
		ann, err := c.annotation(a, i, d, e.ann)
		if err != nil {
			return err
		}
		out, deleted, err := c.reduce(a, acc, i > 0, d, ann, true)
		if err != nil {
			return fmt.Errorf("reducing documents of key %s: %w", c.keyExcerpt(a, e), err)
		}
		acc, e.deleted = out, deleted
		changed = changed || c.red.changed
	}
	e.doc, e.more, e.ann, e.reduced = acc, nil, nil, changed
	return nil
}

// reduce reduces rhs into lhs in arena a with the Combiner's reused reducer; afterwards
// c.red.changed says whether the reduction changed a document reduced alone.
func (c *Combiner) reduce(a *node.Arena, lhs node.Node, lhsOK bool, rhs node.Node, ann *schema.Annotation, full bool) (node.Node, bool, error) {
	c.red.arena, c.red.full, c.red.changed = a, full, false
	return c.red.reduce(lhs, lhsOK, rhs, ann)
}

// combinedInvalid marks a validation error of a document the combiner reduced, as Flow words it.
// (*schema.Schema's errors begin "document is invalid: ".)
func combinedInvalid(err error) error {
	return fmt.Errorf("combined %w", err)
}
