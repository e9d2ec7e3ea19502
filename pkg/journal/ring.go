package journal

// SequencerLimits bound the documents of open transactions that a Sequencer holds in memory. Past
// either limit the oldest held document is dropped, and a transaction that lost documents is
// re-read from the journal when its ACK arrives, as Gazette's sequencer replays past its ring.
type SequencerLimits struct {
	// Docs is the most documents held (default DefaultSequencerDocs).
	Docs int
	// Bytes is the most document bytes held (default DefaultSequencerBytes). Documents are slices
	// of the chunks they were read in, so a held document may keep more of its chunk alive.
	Bytes int64
}

// Defaults of SequencerLimits: Gazette's readers keep a ring of about a thousand messages.
const (
	DefaultSequencerDocs  = 1024
	DefaultSequencerBytes = 16 << 20
)

func (l SequencerLimits) withDefaults() SequencerLimits {
	if l.Docs <= 0 {
		l.Docs = DefaultSequencerDocs
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultSequencerBytes
	}
	return l
}

// docRing holds the CONTINUE documents of open transactions in read order, across producers. Each
// producer's held documents form a linked list (ringStart..ringStop) that is always the newest part
// of its transaction: eviction takes the oldest slot, which is the head of its owner's list.
type docRing struct {
	slots    []ringSlot
	tail, n  int // Occupied slots are tail, tail+1, ... (n of them, modulo len(slots)).
	bytes    int64
	maxBytes int64
	held     int // Slots still owned by a producer (the others were taken or discarded).
}

type ringSlot struct {
	doc   ReadDoc
	owner *producerSeq // nil once the document was taken or discarded.
	next  int          // Next slot of the same owner, or -1.
}

func newDocRing(limits SequencerLimits) docRing {
	return docRing{slots: make([]ringSlot, limits.Docs), maxBytes: limits.Bytes}
}

// push appends a document to p's held documents, evicting the oldest slots past the limits (which
// may be this very document, if it alone exceeds the byte limit).
func (r *docRing) push(p *producerSeq, doc ReadDoc) {
	if r.n == len(r.slots) {
		r.evictTail()
	}
	i := (r.tail + r.n) % len(r.slots)
	r.slots[i] = ringSlot{doc: doc, owner: p, next: -1}
	r.n++
	r.held++
	r.bytes += int64(len(doc.Raw))
	if p.ringStop == -1 {
		p.ringStart = i
	} else {
		r.slots[p.ringStop].next = i
	}
	p.ringStop = i
	for r.bytes > r.maxBytes && r.n > 0 {
		r.evictTail()
	}
}

// evictTail frees the oldest slot, unlinking it from its owner if it still has one.
func (r *docRing) evictTail() {
	if p := r.slots[r.tail].owner; p != nil {
		r.take(p)
	}
	r.slots[r.tail] = ringSlot{}
	r.tail = (r.tail + 1) % len(r.slots)
	r.n--
}

// take unlinks and returns p's oldest held document.
func (r *docRing) take(p *producerSeq) ReadDoc {
	s := &r.slots[p.ringStart]
	doc := s.doc
	if s.next == -1 {
		p.ringStart, p.ringStop = -1, -1
	} else {
		p.ringStart = s.next
	}
	r.bytes -= int64(len(doc.Raw))
	r.held--
	*s = ringSlot{} // The slot itself is reclaimed when the tail reaches it.
	return doc
}

// discard drops every document p holds.
func (r *docRing) discard(p *producerSeq) {
	for p.ringStart != -1 {
		r.take(p)
	}
}

// first returns p's oldest held document, if any.
func (r *docRing) first(p *producerSeq) (ReadDoc, bool) {
	if p.ringStart == -1 {
		return ReadDoc{}, false
	}
	return r.slots[p.ringStart].doc, true
}
