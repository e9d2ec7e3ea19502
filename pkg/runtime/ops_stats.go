package runtime

import (
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

// DefaultOpsStatsInterval is how often task stats are checked for new commits.
const DefaultOpsStatsInterval = 100 * time.Millisecond

// opsUnattributed keys stats that the runtime cannot attribute to one binding or transform (a
// task with several counts its documents in total). No collection or transform can be named
// "*", so it never collides with one.
const opsUnattributed = "*"

// statsPoller turns tasks' running totals into ops stats documents: each check, every task that
// committed since the previous check gets one document with what those transactions did
// (txnCount says how many), keyed by the start of the interval as Flow keys a document by the
// start of its transaction.
type statsPoller struct {
	sink     *opsSink
	interval time.Duration
	last     map[string]TaskStats // by task, as of lastAt
	lastAt   time.Time
}

func newStatsPoller(sink *opsSink, interval time.Duration) *statsPoller {
	if interval <= 0 {
		interval = DefaultOpsStatsInterval
	}
	return &statsPoller{sink: sink, interval: interval, last: map[string]TaskStats{}, lastAt: sink.now()}
}

// run checks stats() every interval until stop closes, then once more.
func (p *statsPoller) run(stop <-chan struct{}, stats func() []TaskStats) {
	ticker := time.NewTicker(p.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			p.check(stats())
		case <-stop:
			p.check(stats())
			return
		}
	}
}

// check queues a stats document for every task that committed since the last check.
func (p *statsPoller) check(current []TaskStats) {
	begin, now := p.lastAt, p.sink.now()
	for _, s := range current {
		prev, seen := p.last[s.Task]
		if !seen || s.Commits < prev.Commits { // a task new to this process counts from zero
			prev = TaskStats{}
		}
		p.last[s.Task] = s
		if s.Commits == prev.Commits {
			continue
		}
		task, ok := p.sink.tasks.get(s.Task)
		if !ok {
			continue // removed from the catalog since
		}
		name, err := OpsJournal(OpsStatsCollection, task.kind, s.Task)
		if err != nil {
			p.sink.logger.Error("ops: naming the stats journal", "task", s.Task, "error", err)
			continue
		}
		p.sink.offer(journal.Document{Journal: name, Doc: statsDocument(s.Task, task, begin, s, prev)})
	}
	p.lastAt = now
}

// statsDocument is Flow's stats document of what a task did between prev and cur.
func statsDocument(name string, task opsTask, begin time.Time, cur, prev TaskStats) map[string]any {
	in := docsAndBytes(cur.DocsIn-prev.DocsIn, cur.BytesIn-prev.BytesIn)
	out := docsAndBytes(cur.DocsOut-prev.DocsOut, cur.BytesOut-prev.BytesOut)
	d := map[string]any{
		"shard":    opsShard(task.kind, name),
		"ts":       opsTimestamp(begin),
		"txnCount": cur.Commits - prev.Commits,
	}
	switch task.kind {
	case ShardKind(TaskCapture):
		// right: documents the connector sent; out: the combined documents published.
		d["capture"] = map[string]any{bindingKey(task.collections): map[string]any{"right": in, "out": out}}
	case ShardKind(TaskMaterialization):
		// right: documents read from the source; out: the combined documents stored.
		d["materialize"] = map[string]any{bindingKey(task.collections): map[string]any{"right": in, "out": out}}
	case ShardKind(TaskDerivation):
		transform := map[string]any{"input": in}
		key := opsUnattributed
		if len(task.transforms) == 1 {
			key = task.transforms[0][0]
			transform["source"] = task.transforms[0][1]
		}
		d["derive"] = map[string]any{"transforms": map[string]any{key: transform}, "out": out}
	}
	return d
}

// bindingKey is the collection a task's stats are keyed by: its only binding's, else "*".
func bindingKey(collections []string) string {
	if len(collections) == 1 {
		return collections[0]
	}
	return opsUnattributed
}

func docsAndBytes(docs, bytes int64) map[string]any {
	return map[string]any{"docsTotal": docs, "bytesTotal": bytes}
}
