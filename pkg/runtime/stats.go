package runtime

import (
	"sync"
	"time"
)

// TaskStats are a task's running totals, as `GET /status` reports them.
type TaskStats struct {
	Task       string    `json:"task"`
	Type       string    `json:"type"`
	DocsIn     int64     `json:"docsIn"`
	BytesIn    int64     `json:"bytesIn"`
	DocsOut    int64     `json:"docsOut"`
	BytesOut   int64     `json:"bytesOut"`
	Commits    int64     `json:"commits"`
	LastCommit time.Time `json:"lastCommit,omitzero"`
	// LagSeconds is how long before its last commit the newest source document of that commit
	// was published (0 for captures, and once a reading task has caught up).
	LagSeconds float64 `json:"lagSeconds"`
	// Idle is true once a finite capture has finished, or a reading task has caught up.
	Idle      bool   `json:"idle"`
	Restarts  int    `json:"restarts"`
	LastError string `json:"lastError,omitempty"`
	// idleSeq is the Notifier sequence at which a reading task last found nothing to read.
	idleSeq uint64
}

// statsCell is a task's stats under a lock, shared by the shard that updates them and readers.
// A shard reports each committed transaction through commit, which also writes the
// transaction's ops stats document when the runtime writes the ops collections.
type statsCell struct {
	mu  sync.Mutex
	s   TaskStats
	ops *opsSink // nil: no ops collections
}

func (c *statsCell) update(fn func(*TaskStats)) {
	c.mu.Lock()
	fn(&c.s)
	c.mu.Unlock()
}

func (c *statsCell) get() TaskStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

// commit adds a committed transaction to the task's totals and hands it to the ops stats.
// Totals count what every stats document counts: documents in are the connector's documents
// (capture) or the source documents read (derivation, materialization), documents out the
// combined documents published or stored; loaded documents are in the stats documents only.
func (c *statsCell) commit(txn *txnStats) {
	now := time.Now()
	in, out := txn.totals()
	c.mu.Lock()
	c.s.DocsIn += in.docs
	c.s.BytesIn += in.bytes
	c.s.DocsOut += out.docs
	c.s.BytesOut += out.bytes
	c.s.Commits++
	c.s.LastCommit = now
	c.s.LagSeconds = lagSince(txn.newestSource())
	task, kind := c.s.Task, c.s.Type
	c.mu.Unlock()
	c.ops.offerStats(task, kind, txn, now)
}

// lagSince is the lag of a commit whose newest source document was published at newest.
func lagSince(newest time.Time) float64 {
	if newest.IsZero() {
		return 0
	}
	return max(time.Since(newest), 0).Seconds()
}
