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
type statsCell struct {
	mu sync.Mutex
	s  TaskStats
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

// lagSince is the lag of a commit whose newest source document was published at newest.
func lagSince(newest time.Time) float64 {
	if newest.IsZero() {
		return 0
	}
	return max(time.Since(newest), 0).Seconds()
}
