// Package node holds JSON documents in arenas: the form documents take while they are validated,
// reduced and combined (Flow's HeapNode). A Node is 16 bytes without Go pointers, and an Arena's
// chunks hold no Go pointers either, so the garbage collector never scans held documents and a
// document costs a few bump allocations instead of a map and a boxed value per property.
//
// A Node refers into the Arena that built it and is valid until that Arena is Reset. Objects
// hold their fields sorted by name, with unique names, as Flow's documents do.
package node

import (
	"math"
	"unsafe"
)

// Kind is the type of a Node. Numbers come in Flow's three kinds (serde_json's): an integer
// literal that fits u64 is PosInt, a negative one that fits i64 is NegInt, anything else is Float.
type Kind uint8

const (
	Null Kind = iota
	Bool
	PosInt
	NegInt
	Float
	String
	Array
	Object
)

var kindNames = [...]string{"null", "boolean", "integer", "integer", "number", "string", "array", "object"}

// String names the JSON type of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// IsNumber reports whether the kind is one of the three number kinds.
func (k Kind) IsNumber() bool { return k == PosInt || k == NegInt || k == Float }

// Node is one JSON value. Scalars are held in the Node itself; strings, arrays and objects refer to
// their bytes, items or fields in an Arena by chunk and offset.
type Node struct {
	kind Kind
	n    uint32 // String: bytes; Array: items; Object: fields
	p    uint64 // Bool: 0 or 1; numbers: their bits; others: chunk<<32 | offset
}

// Field is one property of an object.
type Field struct {
	Name  Node // a String
	Value Node
}

// The zero Node is null.
var (
	NullNode  = Node{}
	TrueNode  = Node{kind: Bool, p: 1}
	FalseNode = Node{kind: Bool}
)

// Kind returns the node's type.
func (n Node) Kind() Kind { return n.kind }

// Len is the number of items of an array, fields of an object, or bytes of a string.
func (n Node) Len() int { return int(n.n) }

// BoolNode returns true or false.
func BoolNode(b bool) Node {
	if b {
		return TrueNode
	}
	return FalseNode
}

// Bool is the value of a Bool node.
func (n Node) Bool() bool { return n.p != 0 }

// UintNode returns a PosInt.
func UintNode(u uint64) Node { return Node{kind: PosInt, p: u} }

// IntNode returns an integer: NegInt when negative, PosInt otherwise (as Flow classifies them).
func IntNode(i int64) Node {
	if i < 0 {
		return Node{kind: NegInt, p: uint64(i)}
	}
	return Node{kind: PosInt, p: uint64(i)}
}

// FloatNode returns a Float.
func FloatNode(f float64) Node { return Node{kind: Float, p: math.Float64bits(f)} }

// Uint is the value of a PosInt.
func (n Node) Uint() uint64 { return n.p }

// Int is the value of a NegInt (or of a PosInt below 2^63).
func (n Node) Int() int64 { return int64(n.p) }

// Float is the value of a Float.
func (n Node) Float() float64 { return math.Float64frombits(n.p) }

// AsFloat is any number's value as the nearest float64.
func (n Node) AsFloat() float64 {
	switch n.kind {
	case PosInt:
		return float64(n.p)
	case NegInt:
		return float64(int64(n.p))
	}
	return n.Float()
}

func (n Node) chunk() uint32  { return uint32(n.p >> 32) }
func (n Node) offset() uint32 { return uint32(n.p) }

func ref(chunk, offset int) uint64 { return uint64(chunk)<<32 | uint64(uint32(offset)) }

// Arena allocates the bytes, items and fields of nodes in chunks that never move, so nodes stay
// valid while more are allocated. It is not safe for concurrent use.
type Arena struct {
	bytes  slab[byte]
	items  slab[Node]
	fields slab[Field]
	dec    decoder
}

// Chunk sizes: large enough that allocation is a bump of an offset almost always, small enough
// that a nearly empty arena stays cheap.
const (
	byteChunk  = 256 << 10
	itemChunk  = 8 << 10
	fieldChunk = 8 << 10
)

// Size is the bytes the arena's nodes take: the chunks filled so far (with the unused ends left
// when a value did not fit) and the used part of the chunk being filled. It is 0 after Reset and
// Rewind, whose kept chunks count only once they are filled again: a user bounding what it holds
// (a combiner between spills) reuses them rather than holds them.
func (a *Arena) Size() int64 {
	return a.bytes.size(false) + a.items.size(false)*int64(unsafe.Sizeof(Node{})) + a.fields.size(false)*int64(unsafe.Sizeof(Field{}))
}

// Capacity is the bytes of every chunk the arena holds, in use or kept by Rewind.
func (a *Arena) Capacity() int64 {
	return a.bytes.size(true) + a.items.size(true)*int64(unsafe.Sizeof(Node{})) + a.fields.size(true)*int64(unsafe.Sizeof(Field{}))
}

// Rewind forgets every node but keeps every chunk for the nodes that follow: for a user that
// refills the arena at once (a combiner between spills), which then allocates nothing new and
// leaves the garbage collector nothing to reclaim.
func (a *Arena) Rewind() {
	a.bytes.rewind()
	a.items.rewind()
	a.fields.rewind()
}

// Reset forgets every node. Their memory is reused, keeping the first chunk of each kind unless
// it was sized for a value larger than a chunk.
func (a *Arena) Reset() {
	a.bytes.reset(byteChunk)
	a.items.reset(itemChunk)
	a.fields.reset(fieldChunk)
}

// StringNode copies s into the arena.
func (a *Arena) StringNode(s string) Node {
	c, off, buf := a.bytes.alloc(len(s), byteChunk)
	copy(buf, s)
	return Node{kind: String, n: uint32(len(s)), p: ref(c, off)}
}

// BytesNode copies b into the arena as a string.
func (a *Arena) BytesNode(b []byte) Node {
	return a.StringNode(unsafe.String(unsafe.SliceData(b), len(b)))
}

// Str is a String node's value. It aliases the arena's memory: it is valid until Reset and must not
// be retained beyond it (copy it with strings.Clone to keep it).
func (a *Arena) Str(n Node) string {
	if n.n == 0 {
		return ""
	}
	b := a.bytes.chunks[n.chunk()]
	return unsafe.String(&b[n.offset()], int(n.n))
}

// NewArray allocates an array of n items, all null, and returns it with its items to fill.
func (a *Arena) NewArray(n int) (Node, []Node) {
	arr, items := a.allocArray(n)
	clear(items)
	return arr, items
}

// NewObject allocates an object of n fields and returns it with its fields to fill, which the
// caller must leave sorted by name and unique.
func (a *Arena) NewObject(n int) (Node, []Field) {
	obj, fields := a.allocObject(n)
	clear(fields)
	return obj, fields
}

// allocArray and allocObject leave the memory as a previous use left it: the caller fills it all.
func (a *Arena) allocArray(n int) (Node, []Node) {
	c, off, items := a.items.alloc(n, itemChunk)
	return Node{kind: Array, n: uint32(n), p: ref(c, off)}, items
}

func (a *Arena) allocObject(n int) (Node, []Field) {
	c, off, fields := a.fields.alloc(n, fieldChunk)
	return Node{kind: Object, n: uint32(n), p: ref(c, off)}, fields
}

// ArrayOf copies items into a new array.
func (a *Arena) ArrayOf(items []Node) Node {
	arr, dst := a.allocArray(len(items))
	copy(dst, items)
	return arr
}

// ObjectOf copies fields, which must be sorted by name and unique, into a new object.
func (a *Arena) ObjectOf(fields []Field) Node {
	obj, dst := a.allocObject(len(fields))
	copy(dst, fields)
	return obj
}

// Items are an array's items. The slice aliases the arena: fill it only right after NewArray.
func (a *Arena) Items(n Node) []Node {
	if n.n == 0 {
		return nil
	}
	c := a.items.chunks[n.chunk()]
	return c[n.offset() : n.offset()+n.n : n.offset()+n.n]
}

// Fields are an object's fields, sorted by name. The slice aliases the arena.
func (a *Arena) Fields(n Node) []Field {
	if n.n == 0 {
		return nil
	}
	c := a.fields.chunks[n.chunk()]
	return c[n.offset() : n.offset()+n.n : n.offset()+n.n]
}

// Get returns the value of an object's property by binary search over its sorted fields.
func (a *Arena) Get(obj Node, name string) (Node, bool) {
	fields := a.Fields(obj)
	lo, hi := 0, len(fields)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if a.Str(fields[mid].Name) < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(fields) && a.Str(fields[lo].Name) == name {
		return fields[lo].Value, true
	}
	return Node{}, false
}

// slab is a list of chunks allocated by bumping an offset in the last one.
type slab[T any] struct {
	chunks [][]T
	cur    int   // index of the chunk being filled
	used   int   // elements used in chunks[cur]
	filled int64 // elements of chunks[:cur], so that Size costs no walk over the chunks
}

// alloc returns n elements that lie in one chunk, with that chunk's index and their offset.
func (s *slab[T]) alloc(n, chunkSize int) (int, int, []T) {
	if len(s.chunks) == 0 || s.used+n > len(s.chunks[s.cur]) {
		s.next(n, chunkSize)
	}
	off := s.used
	s.used += n
	return s.cur, off, s.chunks[s.cur][off : off+n : off+n]
}

// next moves to a chunk with room for n: one kept by rewind, or a new one (sized for n when n
// is larger than a chunk, so a big value never straddles two). The rest of the current chunk is
// left unused.
func (s *slab[T]) next(n, chunkSize int) {
	if len(s.chunks) > 0 {
		s.filled += int64(len(s.chunks[s.cur]))
		s.cur++
	}
	s.used = 0
	switch size := max(chunkSize, n); {
	case s.cur == len(s.chunks):
		s.chunks = append(s.chunks, make([]T, size))
	case len(s.chunks[s.cur]) < n:
		s.chunks[s.cur] = make([]T, size) // the kept chunk is too small for n
	}
}

// size is the elements used (the chunks before the current one, whole, and the used part of the
// current one), or of all chunks.
func (s *slab[T]) size(all bool) int64 {
	if !all {
		return s.filled + int64(s.used)
	}
	var n int64
	for _, c := range s.chunks {
		n += int64(len(c))
	}
	return n
}

func (s *slab[T]) rewind() { s.cur, s.used, s.filled = 0, 0, 0 }

func (s *slab[T]) reset(chunkSize int) {
	keep := min(len(s.chunks), 1)
	if keep == 1 && len(s.chunks[0]) > chunkSize {
		keep = 0
	}
	if len(s.chunks) > keep {
		clear(s.chunks[keep:]) // release the rest to the garbage collector
		s.chunks = s.chunks[:keep]
	}
	s.cur, s.used, s.filled = 0, 0, 0
}
