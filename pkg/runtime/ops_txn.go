package runtime

import (
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// docsAndBytes counts documents and their JSON bytes, as Flow's stats documents do.
type docsAndBytes struct{ docs, bytes int64 }

func (d *docsAndBytes) add(docs, bytes int64) { d.docs += docs; d.bytes += bytes }

func (d docsAndBytes) isZero() bool { return d == docsAndBytes{} }

// bindingTxn is what one transaction did for one binding of a capture or materialization, or
// one transform of a derivation.
type bindingTxn struct {
	// collection is the binding's target (capture) or source (materialization, transform).
	collection string
	transform  string // the transform's name (derivations only)
	// right: documents the connector captured, or source documents read (a transform's input).
	right docsAndBytes
	left  docsAndBytes // documents the materialization connector loaded
	out   docsAndBytes // combined documents published (capture) or stored (materialization)
	// lastSourcePublishedAt is the publish time of the newest source document read.
	lastSourcePublishedAt time.Time
}

// txnStats is what one transaction of a shard did: Flow writes one stats document per
// transaction, and the task's totals are their sums.
type txnStats struct {
	started    time.Time // when the transaction began (its first document): the document's ts
	committing time.Time // when it began to commit (zero: when it was counted)
	bindings   []bindingTxn
	// published counts what a derivation's lambdas published, before combining (nil: the
	// engine does not count them); out counts the combined documents it wrote.
	published *docsAndBytes
	out       docsAndBytes
}

// newTxnStats starts counting the transactions of a shard with the given bindings (capture,
// materialization) or transforms (derivation).
func newTxnStats(bindings []bindingTxn) *txnStats {
	return &txnStats{bindings: bindings}
}

// begin marks the start of the transaction, at its first document or checkpoint.
func (t *txnStats) begin() {
	if t.started.IsZero() {
		t.started = time.Now()
	}
}

// captured counts a document the connector captured into binding i.
func (t *txnStats) captured(i int, bytes int) {
	t.begin()
	t.bindings[i].right.add(1, int64(bytes))
}

// captureBindings are the bindings of a capture transaction, by target.
func captureBindings(writers []*CollectionWriter) []bindingTxn {
	out := make([]bindingTxn, len(writers))
	for i, w := range writers {
		out[i].collection = w.coll.Name
	}
	return out
}

// transformBindings are the transforms of a derivation transaction, by transform index.
func transformBindings(c *catalog.BuiltCollection) []bindingTxn {
	out := make([]bindingTxn, len(c.Derivation.Transforms))
	for i, t := range c.Derivation.Transforms {
		out[i] = bindingTxn{collection: t.Source.Name, transform: t.Name}
	}
	return out
}

// PublishCounter is implemented by a DeriveEngine that counts the documents its lambdas
// published in a transaction before they were combined (Flow's `derive.published` stats).
// The runtime asks once per transaction, before Drain; without it the stats leave
// `published` out.
type PublishCounter interface {
	// TakePublished returns the documents published since it was last called and their JSON
	// bytes, and starts counting from zero.
	TakePublished() (docs, bytes int64)
}

// countPublished takes what engine published in the transaction, if it counts that.
func (t *txnStats) countPublished(engine DeriveEngine) {
	if pc, ok := engine.(PublishCounter); ok {
		docs, bytes := pc.TakePublished()
		t.published = &docsAndBytes{docs: docs, bytes: bytes}
	}
}

// sourceRead counts a source document of binding i read into the transaction.
func (t *txnStats) sourceRead(i int, bytes int, publishedAt time.Time) {
	t.begin()
	b := &t.bindings[i]
	b.right.add(1, int64(bytes))
	if publishedAt.After(b.lastSourcePublishedAt) {
		b.lastSourcePublishedAt = publishedAt
	}
}

// startCommit marks the end of the transaction's open time.
func (t *txnStats) startCommit() { t.committing = time.Now() }

// reset starts the next transaction.
func (t *txnStats) reset() {
	for i, b := range t.bindings {
		t.bindings[i] = bindingTxn{collection: b.collection, transform: b.transform}
	}
	t.published, t.out = nil, docsAndBytes{}
	t.started, t.committing = time.Time{}, time.Time{}
}

// openSeconds is how long the transaction was open before it began to commit.
func (t *txnStats) openSeconds(now time.Time) float64 {
	if t.started.IsZero() {
		return 0
	}
	end := t.committing
	if end.IsZero() {
		end = now
	}
	return max(end.Sub(t.started), 0).Seconds()
}

// totals are the documents in (captured or read) and out (published or stored) of the
// transaction, as the task's totals count them.
func (t *txnStats) totals() (in, out docsAndBytes) {
	out = t.out
	for _, b := range t.bindings {
		in.add(b.right.docs, b.right.bytes)
		out.add(b.out.docs, b.out.bytes)
	}
	return in, out
}

// newestSource is the publish time of the newest source document of the transaction.
func (t *txnStats) newestSource() time.Time {
	var newest time.Time
	for _, b := range t.bindings {
		if b.lastSourcePublishedAt.After(newest) {
			newest = b.lastSourcePublishedAt
		}
	}
	return newest
}
