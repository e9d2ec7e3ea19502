package runtime

import (
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

// offerStats queues the ops stats document of a task's committed transaction (nil sink: the
// runtime writes no ops collections). The document is built before offerStats returns, so the
// shard may reuse txn for its next transaction.
func (s *opsSink) offerStats(task, taskType string, txn *txnStats, now time.Time) {
	if s == nil {
		return
	}
	kind := ShardKind(taskType)
	name, err := OpsJournal(OpsStatsCollection, kind, task)
	if err != nil {
		s.logger.Error("ops: naming the stats journal", "task", task, "error", err)
		return
	}
	s.offer(journal.Document{Journal: name, Doc: statsDocument(kind, task, txn, now)})
}

// statsDocument is Flow's stats document of one transaction: txnCount 1, ts its start, and
// what it did keyed as Flow keys it (a capture's and a materialization's bindings by
// collection, summed when several bindings share one; a derivation's by transform name).
// Bindings and transforms that saw no documents are left out, as Flow leaves them.
func statsDocument(kind, task string, txn *txnStats, now time.Time) map[string]any {
	d := map[string]any{
		"shard":            opsShard(kind, task),
		"ts":               opsTimestamp(txn.started),
		"txnCount":         1,
		"openSecondsTotal": txn.openSeconds(now),
	}
	switch kind {
	case ShardKind(TaskCapture), ShardKind(TaskMaterialization):
		if byCollection := collectionStats(kind, txn.bindings); len(byCollection) > 0 {
			d[map[string]string{ShardKind(TaskCapture): "capture", ShardKind(TaskMaterialization): "materialize"}[kind]] = byCollection
		}
	case ShardKind(TaskDerivation):
		derive := map[string]any{}
		transforms := map[string]any{}
		for _, b := range txn.bindings {
			if b.right.isZero() {
				continue
			}
			tr := map[string]any{"source": b.collection, "input": docsAndBytesDoc(b.right)}
			if !b.lastSourcePublishedAt.IsZero() {
				tr["lastSourcePublishedAt"] = opsTimestamp(b.lastSourcePublishedAt)
			}
			transforms[b.transform] = tr
		}
		if len(transforms) > 0 {
			derive["transforms"] = transforms
		}
		if txn.published != nil {
			derive["published"] = docsAndBytesDoc(*txn.published)
		}
		derive["out"] = docsAndBytesDoc(txn.out)
		d["derive"] = derive
	}
	return d
}

// collectionStats sums bindings by collection: right and out, and for a materialization left
// and the newest source document's publish time.
func collectionStats(kind string, bindings []bindingTxn) map[string]any {
	sums := map[string]*bindingTxn{}
	for _, b := range bindings {
		if b.right.isZero() && b.left.isZero() && b.out.isZero() {
			continue
		}
		s := sums[b.collection]
		if s == nil {
			s = &bindingTxn{}
			sums[b.collection] = s
		}
		s.right.add(b.right.docs, b.right.bytes)
		s.left.add(b.left.docs, b.left.bytes)
		s.out.add(b.out.docs, b.out.bytes)
		if b.lastSourcePublishedAt.After(s.lastSourcePublishedAt) {
			s.lastSourcePublishedAt = b.lastSourcePublishedAt
		}
	}
	out := make(map[string]any, len(sums))
	for collection, s := range sums {
		entry := map[string]any{"right": docsAndBytesDoc(s.right), "out": docsAndBytesDoc(s.out)}
		if kind == ShardKind(TaskMaterialization) {
			entry["left"] = docsAndBytesDoc(s.left)
			if !s.lastSourcePublishedAt.IsZero() {
				entry["lastSourcePublishedAt"] = opsTimestamp(s.lastSourcePublishedAt)
			}
		}
		out[collection] = entry
	}
	return out
}

func docsAndBytesDoc(d docsAndBytes) map[string]any {
	return map[string]any{"docsTotal": d.docs, "bytesTotal": d.bytes}
}

// collectionOfJournal is the collection (of those given) whose journal name is the one given:
// the longest collection name followed by "/" that starts it. Partition segments contain "=",
// which collection names cannot, so a longer match is never a partition of a shorter one.
func collectionOfJournal(name string, collections []string) (string, bool) {
	best := ""
	for _, c := range collections {
		if len(c) > len(best) && strings.HasPrefix(name, c+"/") {
			best = c
		}
	}
	return best, best != ""
}

// publishedOut counts a capture transaction's combined documents by binding (docs[i] for
// binding i) and their appended bytes by collection (Published.ByJournal), on the first binding
// of each collection: the document sums bindings of one collection anyway.
func (t *txnStats) publishedOut(docs []int, p Published) {
	var collections []string
	first := map[string]int{}
	for i, b := range t.bindings {
		t.bindings[i].out.docs += int64(docs[i])
		if _, ok := first[b.collection]; !ok {
			first[b.collection] = i
			collections = append(collections, b.collection)
		}
	}
	for j, bytes := range p.ByJournal {
		if c, ok := collectionOfJournal(j, collections); ok {
			t.bindings[first[c]].out.bytes += bytes
		}
	}
}
