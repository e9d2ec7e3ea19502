package runtime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// testTxn is a transaction that began at opsTestTime and began to commit 1.5 s later.
func testTxn(bindings ...bindingTxn) *txnStats {
	return &txnStats{started: opsTestTime, committing: opsTestTime.Add(1500 * time.Millisecond), bindings: bindings}
}

func counted(docs, bytes int64) docsAndBytes { return docsAndBytes{docs: docs, bytes: bytes} }

// TestOpsStatsDocument checks Flow's stats document of one transaction for every task kind.
func TestOpsStatsDocument(t *testing.T) {
	const head = `"openSecondsTotal":1.5,`
	const tail = `"ts":"2024-05-06T07:08:09.123Z","txnCount":1}`
	shard := func(kind, name string) string {
		return `"shard":{"keyBegin":"00000000","kind":"` + kind + `","name":"` + name + `","rClockBegin":"00000000"},`
	}
	published := counted(7, 700)
	tests := []struct {
		name, kind, task string
		txn              *txnStats
		want             string
	}{
		{"capture of two collections, keyed by each; an idle binding is left out", "capture", "acme/cap",
			testTxn(bindingTxn{collection: "acme/a", right: counted(3, 30), out: counted(2, 25)},
				bindingTxn{collection: "acme/b", right: counted(1, 10), out: counted(1, 12)},
				bindingTxn{collection: "acme/c"}),
			`{"capture":{"acme/a":{"out":{"bytesTotal":25,"docsTotal":2},"right":{"bytesTotal":30,"docsTotal":3}},` +
				`"acme/b":{"out":{"bytesTotal":12,"docsTotal":1},"right":{"bytesTotal":10,"docsTotal":1}}},` + head + shard("capture", "acme/cap") + tail},
		{"capture bindings of one collection are summed", "capture", "acme/cap",
			testTxn(bindingTxn{collection: "acme/a", right: counted(3, 30), out: counted(2, 25)},
				bindingTxn{collection: "acme/a", right: counted(1, 10), out: counted(1, 0)}),
			`{"capture":{"acme/a":{"out":{"bytesTotal":25,"docsTotal":3},"right":{"bytesTotal":40,"docsTotal":4}}},` + head + shard("capture", "acme/cap") + tail},
		{"a capture transaction of checkpoints only has no capture stats", "capture", "acme/cap",
			testTxn(bindingTxn{collection: "acme/a"}), `{` + head + shard("capture", "acme/cap") + tail},
		{"materialization: loaded documents are left, the newest source time is kept", "materialization", "acme/mat",
			testTxn(bindingTxn{collection: "acme/a", right: counted(4, 40), left: counted(2, 22), out: counted(3, 33), lastSourcePublishedAt: opsTestTime.Add(-time.Second)},
				bindingTxn{collection: "acme/b", right: counted(1, 5), out: counted(1, 6)}),
			`{"materialize":{"acme/a":{"lastSourcePublishedAt":"2024-05-06T07:08:08.123Z","left":{"bytesTotal":22,"docsTotal":2},"out":{"bytesTotal":33,"docsTotal":3},"right":{"bytesTotal":40,"docsTotal":4}},` +
				`"acme/b":{"left":{"bytesTotal":0,"docsTotal":0},"out":{"bytesTotal":6,"docsTotal":1},"right":{"bytesTotal":5,"docsTotal":1}}},` + head + shard("materialization", "acme/mat") + tail},
		{"derivation: by transform name with its source, published and out", "derivation", "acme/der",
			func() *txnStats {
				txn := testTxn(bindingTxn{collection: "acme/a", transform: "fromA", right: counted(5, 50), lastSourcePublishedAt: opsTestTime},
					bindingTxn{collection: "acme/a", transform: "againFromA", right: counted(2, 20)},
					bindingTxn{collection: "acme/b", transform: "fromB"})
				txn.published, txn.out = &published, counted(3, 90)
				return txn
			}(),
			`{"derive":{"out":{"bytesTotal":90,"docsTotal":3},"published":{"bytesTotal":700,"docsTotal":7},"transforms":{` +
				`"againFromA":{"input":{"bytesTotal":20,"docsTotal":2},"source":"acme/a"},` +
				`"fromA":{"input":{"bytesTotal":50,"docsTotal":5},"lastSourcePublishedAt":"2024-05-06T07:08:09.123Z","source":"acme/a"}}},` + head + shard("derivation", "acme/der") + tail},
		{"derivation whose engine does not count published documents", "derivation", "acme/der",
			testTxn(bindingTxn{collection: "acme/a", transform: "t", right: counted(1, 10)}),
			`{"derive":{"out":{"bytesTotal":0,"docsTotal":0},"transforms":{"t":{"input":{"bytesTotal":10,"docsTotal":1},"source":"acme/a"}}},` + head + shard("derivation", "acme/der") + tail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(statsDocument(tc.kind, tc.task, tc.txn, opsTestTime.Add(time.Hour)))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b, tc.want)
			}
		})
	}
}

// TestOpsStatsOpenSeconds checks that a transaction that never marked its commit counts its
// open time up to when it is counted, and one that never began counts none.
func TestOpsStatsOpenSeconds(t *testing.T) {
	txn := &txnStats{started: opsTestTime}
	if got := txn.openSeconds(opsTestTime.Add(2 * time.Second)); got != 2 {
		t.Errorf("open %v s, want 2", got)
	}
	if got := (&txnStats{}).openSeconds(opsTestTime); got != 0 {
		t.Errorf("a transaction that never began was open %v s", got)
	}
}

func TestCollectionOfJournal(t *testing.T) {
	collections := []string{"acme/a", "acme/a/b", "acme/ab"}
	tests := []struct{ journal, want string }{
		{"acme/a/pivot=00", "acme/a"},
		{"acme/a/region=eu/pivot=00", "acme/a"},
		{"acme/a/b/pivot=00", "acme/a/b"},
		{"acme/ab/pivot=00", "acme/ab"},
		{"acme/c/pivot=00", ""},
		{"acme/a", ""},
	}
	for _, tc := range tests {
		got, ok := collectionOfJournal(tc.journal, collections)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("collectionOfJournal(%q) = %q, %v; want %q", tc.journal, got, ok, tc.want)
		}
	}
}

// TestCapturePublishedOut checks that a capture's published documents count by binding and
// their bytes by collection.
func TestCapturePublishedOut(t *testing.T) {
	txn := testTxn(bindingTxn{collection: "acme/a"}, bindingTxn{collection: "acme/b"}, bindingTxn{collection: "acme/a"})
	txn.publishedOut([]int{2, 1, 3}, Published{Docs: 6, Bytes: 600, ByJournal: map[string]int64{
		"acme/a/region=eu/pivot=00": 300, "acme/a/region=us/pivot=00": 200, "acme/b/pivot=00": 100}})
	want := []docsAndBytes{counted(2, 500), counted(1, 100), counted(3, 0)}
	for i, b := range txn.bindings {
		if b.out != want[i] {
			t.Errorf("binding %d: out %+v, want %+v", i, b.out, want[i])
		}
	}
	if _, out := txn.totals(); out != counted(6, 600) {
		t.Errorf("out totals %+v, want the published 6 documents of 600 bytes", out)
	}
}

// TestStatsCellCommit checks that each committed transaction is one stats document, and that
// the task's totals are the sums of its documents.
func TestStatsCellCommit(t *testing.T) {
	sink := testSink(16)
	cell := &statsCell{s: TaskStats{Task: "acme/mat", Type: TaskMaterialization}, ops: sink}
	txn := newTxnStats([]bindingTxn{{collection: "acme/a"}, {collection: "acme/b"}})
	reads := [][]int{{10, 20, 30}, {5}, {7, 7}}
	for n, sizes := range reads {
		for i, size := range sizes {
			txn.sourceRead(i%2, size, opsTestTime.Add(time.Duration(n)*time.Second))
		}
		txn.bindings[0].left.add(1, 3)
		txn.bindings[1].out.add(int64(len(sizes)), 100)
		txn.startCommit()
		cell.commit(txn)
		txn.reset()
	}
	var sum TaskStats
	docs := queued(t, sink)
	if len(docs) != len(reads) {
		t.Fatalf("%d stats documents for %d transactions", len(docs), len(reads))
	}
	for _, line := range docs {
		_, raw, _ := strings.Cut(line, " ")
		var d struct {
			TxnCount    int64
			Materialize map[string]struct {
				Right, Out struct{ DocsTotal, BytesTotal int64 }
			}
		}
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			t.Fatal(err)
		}
		sum.Commits += d.TxnCount
		for _, b := range d.Materialize {
			sum.DocsIn += b.Right.DocsTotal
			sum.BytesIn += b.Right.BytesTotal
			sum.DocsOut += b.Out.DocsTotal
			sum.BytesOut += b.Out.BytesTotal
		}
	}
	got := cell.get()
	if sum.Commits != 3 || sum.DocsIn != 6 || sum.BytesIn != 79 || sum.DocsOut != 6 || sum.BytesOut != 300 {
		t.Errorf("documents sum to %+v, want 3 commits, 6 documents (79 bytes) in, 6 (300 bytes) out", sum)
	}
	if got.Commits != sum.Commits || got.DocsIn != sum.DocsIn || got.BytesIn != sum.BytesIn || got.DocsOut != sum.DocsOut || got.BytesOut != sum.BytesOut {
		t.Errorf("totals %+v differ from the documents' sums %+v", got, sum)
	}
}
