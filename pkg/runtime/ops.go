package runtime

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// The ops collections hold every task's logs and stats, as Flow's `ops.<data plane>/logs` and
// `ops.<data plane>/stats` do. Flow reserves the `ops/` prefix for its own catalog, so user
// collections cannot collide with these names (pkg/develop refuses a catalog that tries).
const (
	OpsLogsCollection  = "ops/logs"
	OpsStatsCollection = "ops/stats"
)

// Both ops collections are partitioned as Flow's: by the task's kind and name, so that one task's
// logs are one journal.
const (
	opsKindField = "kind"
	opsNameField = "name"
)

// OpsCollectionSpecs are the ops collections as the journal store must know them before a Runtime
// with Options.WriteOps appends to them.
func OpsCollectionSpecs() []journal.CollectionSpec {
	var out []journal.CollectionSpec
	for _, name := range []string{OpsLogsCollection, OpsStatsCollection} {
		out = append(out, journal.CollectionSpec{Name: name, PartitionFields: []string{opsKindField, opsNameField}})
	}
	return out
}

// IsOpsCollection reports whether a collection name is reserved for the ops collections.
func IsOpsCollection(name string) bool {
	return name == OpsLogsCollection || name == OpsStatsCollection || strings.HasPrefix(name, OpsLogsCollection+"/") || strings.HasPrefix(name, OpsStatsCollection+"/")
}

// OpsJournal names the journal of a task's documents in an ops collection. kind is a shard kind
// as the ops documents spell it (ShardKind).
func OpsJournal(collection, kind, task string) (string, error) {
	return journal.JournalName(collection, []journal.PartitionValue{
		{Field: opsKindField, Value: kind}, {Field: opsNameField, Value: task}})
}

// ShardKind is how ops documents name a task type: Flow's shard label says "materialization"
// where shard IDs say "materialize".
func ShardKind(taskType string) string {
	if taskType == TaskMaterialization {
		return "materialization"
	}
	return taskType
}

// opsShard is the `shard` object of an ops document. Every local task is one shard over the whole
// key and r-clock range.
func opsShard(kind, task string) map[string]any {
	return map[string]any{"kind": kind, "name": task, "keyBegin": "00000000", "rClockBegin": "00000000"}
}

// opsTimestamp formats an ops document's `ts` as Flow does (RFC 3339 in UTC).
func opsTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// opsTasks knows the shard kind of every task of the running catalog by name, for log records
// that name only their task (connector logs). It has its own lock: records are logged while
// the Runtime's lock is held.
type opsTasks struct {
	mu    sync.RWMutex
	kinds map[string]string
}

func (k *opsTasks) set(built *catalog.Built) {
	kinds := map[string]string{}
	if built != nil {
		for _, c := range built.Captures {
			kinds[c.Name] = ShardKind(TaskCapture)
		}
		for _, c := range built.Collections {
			if c.Derivation != nil {
				kinds[c.Name] = ShardKind(TaskDerivation)
			}
		}
		for _, m := range built.Materializations {
			kinds[m.Name] = ShardKind(TaskMaterialization)
		}
	}
	k.mu.Lock()
	k.kinds = kinds
	k.mu.Unlock()
}

// kind is the shard kind of a task of the catalog.
func (k *opsTasks) kind(task string) (string, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	kind, ok := k.kinds[task]
	return kind, ok
}

// opsFor prepares the ops collections' writer of a Runtime: the sink, and the logger whose
// task records also go to the ops logs. Without Options.WriteOps both are as given (nil sink).
func opsFor(opts Options) (*opsSink, *slog.Logger) {
	if !opts.WriteOps {
		return nil, opts.Logger
	}
	sink := newOpsSink(opts.Client, opts.Logger, opts.Now, opsQueueCapacity)
	sink.tasks.set(opts.Built)
	return sink, slog.New(newOpsLogHandler(opts.Logger.Handler(), sink))
}

// setCatalog tells the sink the tasks of a new catalog (nil sink: no ops collections).
func (s *opsSink) setCatalog(built *catalog.Built) {
	if s != nil {
		s.tasks.set(built)
	}
}

// runWhile starts the sink for a Runtime's Run; the returned function ends it once Run is done
// (after the tasks' final commits), publishing what is still queued.
func (s *opsSink) runWhile() func() {
	if s == nil {
		return func() {}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s.run(stop)
	}()
	return func() {
		close(stop)
		<-done
	}
}
