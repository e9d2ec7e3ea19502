package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

// opsLogLevel is the least level written to the ops logs: Flow's default shard log level.
const opsLogLevel = slog.LevelInfo

// Attributes that say which task a record belongs to. The runtime and connectors log with them.
const (
	logTaskKey = "task"
	logTypeKey = "type"
)

// opsLogHandler passes records to the process's handler and, for records of a task, queues them
// as Flow log documents ({shard, ts, level, message, fields}) in the task's ops logs journal.
type opsLogHandler struct {
	inner      slog.Handler
	sink       *opsSink
	task, kind string      // from attributes added with With
	fields     []slog.Attr // other attributes added with With, groups applied
	groups     []string    // groups opened with WithGroup, for later attributes
}

func newOpsLogHandler(inner slog.Handler, sink *opsSink) *opsLogHandler {
	return &opsLogHandler{inner: inner, sink: sink}
}

func (h *opsLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= opsLogLevel || h.inner.Enabled(ctx, l)
}

func (h *opsLogHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.inner.Enabled(ctx, r.Level) {
		err = h.inner.Handle(ctx, r)
	}
	if r.Level >= opsLogLevel {
		h.queue(r)
	}
	return err
}

func (h *opsLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(attrs)
	c.fields = append([]slog.Attr(nil), h.fields...)
	for _, a := range attrs {
		if !c.claim(a) {
			c.fields = append(c.fields, nestIn(h.groups, a))
		}
	}
	return &c
}

func (h *opsLogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.inner = h.inner.WithGroup(name)
	c.groups = append(append([]string(nil), h.groups...), name)
	return &c
}

// claim takes a top-level task or type attribute as the record's shard rather than a field.
func (h *opsLogHandler) claim(a slog.Attr) bool {
	if len(h.groups) > 0 || a.Value.Kind() != slog.KindString {
		return false
	}
	switch a.Key {
	case logTaskKey:
		h.task = a.Value.String()
	case logTypeKey:
		h.kind = ShardKind(a.Value.String())
	default:
		return false
	}
	return true
}

// queue turns a record of a task into a log document and offers it to the sink. Records of no
// task (the runtime's own) are not a task's logs.
func (h *opsLogHandler) queue(r slog.Record) {
	c := *h
	fields := append([]slog.Attr(nil), h.fields...)
	r.Attrs(func(a slog.Attr) bool {
		if !c.claim(a) {
			fields = append(fields, nestIn(h.groups, a))
		}
		return true
	})
	if c.task == "" {
		return
	}
	if kind, ok := h.sink.tasks.kind(c.task); ok {
		c.kind = kind
	} else if c.kind == "" {
		return // a task of no catalog we know: nowhere to put it
	}
	name, err := OpsJournal(OpsLogsCollection, c.kind, c.task)
	if err != nil {
		return
	}
	ts := r.Time
	if ts.IsZero() {
		ts = h.sink.now()
	}
	doc := map[string]any{
		"shard":   opsShard(c.kind, c.task),
		"ts":      opsTimestamp(ts),
		"level":   opsLevel(r.Level),
		"message": r.Message,
	}
	if obj := attrsObject(fields); len(obj) > 0 {
		doc["fields"] = obj
	}
	h.sink.offer(journal.Document{Journal: name, Doc: doc})
}

// nestIn puts an attribute inside the open groups.
func nestIn(groups []string, a slog.Attr) slog.Attr {
	for i := len(groups) - 1; i >= 0; i-- {
		a = slog.Attr{Key: groups[i], Value: slog.GroupValue(a)}
	}
	return a
}

// opsLevel names a slog level as Flow's log documents do.
func opsLevel(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	case l >= slog.LevelDebug:
		return "debug"
	}
	return "trace"
}

// attrsObject is attributes as a JSON object; groups of one name merge, as slog's JSON handler
// would nest them.
func attrsObject(attrs []slog.Attr) map[string]any {
	obj := map[string]any{}
	for _, a := range attrs {
		v := a.Value.Resolve()
		if a.Key == "" && v.Kind() != slog.KindGroup {
			continue // slog drops empty keys
		}
		if v.Kind() != slog.KindGroup {
			obj[a.Key] = attrValue(v)
			continue
		}
		inner := attrsObject(v.Group())
		if a.Key == "" { // an inline group
			for k, e := range inner {
				obj[k] = e
			}
			continue
		}
		if prior, ok := obj[a.Key].(map[string]any); ok {
			for k, e := range inner {
				prior[k] = e
			}
			continue
		}
		if len(inner) > 0 {
			obj[a.Key] = inner
		}
	}
	return obj
}

// attrValue is a resolved slog value as a JSON value. Values JSON cannot hold (errors, NaN,
// types that do not marshal) become their text.
func attrValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		if f := v.Float64(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
		return v.String()
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().String()
	case slog.KindTime:
		return v.Time().UTC().Format(time.RFC3339Nano)
	}
	a := v.Any()
	if err, ok := a.(error); ok {
		return err.Error()
	}
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Sprint(a)
	}
	return json.RawMessage(b)
}
