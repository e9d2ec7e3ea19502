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

// opsTask is what ops documents say of a task: its shard kind and what its stats are keyed by.
type opsTask struct {
	kind string
	// collections are a capture's targets or a materialization's sources, in binding order.
	collections []string
	// transforms are a derivation's transforms with their sources.
	transforms [][2]string
}

// opsTasks knows the tasks of the running catalog by name, for log records that name only their
// task (connector logs) and for stats. It has its own lock: records are logged while the
// Runtime's lock is held.
type opsTasks struct {
	mu    sync.RWMutex
	tasks map[string]opsTask
}

func (k *opsTasks) set(built *catalog.Built) {
	tasks := map[string]opsTask{}
	if built != nil {
		for _, c := range built.Captures {
			t := opsTask{kind: ShardKind(TaskCapture)}
			for _, b := range c.Bindings {
				t.collections = append(t.collections, b.Target.Name)
			}
			tasks[c.Name] = t
		}
		for _, c := range built.Collections {
			if c.Derivation == nil {
				continue
			}
			t := opsTask{kind: ShardKind(TaskDerivation)}
			for _, tr := range c.Derivation.Transforms {
				t.transforms = append(t.transforms, [2]string{tr.Name, tr.Source.Name})
			}
			tasks[c.Name] = t
		}
		for _, m := range built.Materializations {
			t := opsTask{kind: ShardKind(TaskMaterialization)}
			for _, b := range m.Bindings {
				t.collections = append(t.collections, b.Source.Name)
			}
			tasks[m.Name] = t
		}
	}
	k.mu.Lock()
	k.tasks = tasks
	k.mu.Unlock()
}

func (k *opsTasks) get(task string) (opsTask, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	t, ok := k.tasks[task]
	return t, ok
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

// runWhile starts the sink for a Runtime's Run; the returned function ends it once Run is done.
func (s *opsSink) runWhile(stats func() []TaskStats) func() {
	if s == nil {
		return func() {}
	}
	return s.start(stats, DefaultOpsStatsInterval)
}
