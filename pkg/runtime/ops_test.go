package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

var opsTestTime = time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)

// testSink is a sink that is never started: tests take what it queued.
func testSink(capacity int) *opsSink {
	s := newOpsSink(nil, slog.New(slog.DiscardHandler), func() time.Time { return opsTestTime }, capacity)
	s.tasks.kinds = map[string]string{"acme/cap": "capture", "acme/mat": "materialization", "acme/der": "derivation"}
	return s
}

// queued drains the sink's queue as JSON, journal first.
func queued(t *testing.T, s *opsSink) []string {
	t.Helper()
	var out []string
	for {
		select {
		case d := <-s.queue:
			b, err := json.Marshal(d.Doc)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d.Journal+" "+string(b))
		default:
			return out
		}
	}
}

func TestOpsLogHandler(t *testing.T) {
	const capShard = `"shard":{"keyBegin":"00000000","kind":"capture","name":"acme/cap","rClockBegin":"00000000"}`
	const capJournal = "ops/logs/kind=capture/name=acme%2Fcap/pivot=00 "
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want []string
	}{
		{"task from With, kind from the catalog", func(l *slog.Logger) { l.With("task", "acme/cap").Info("hello", "n", 3) },
			[]string{capJournal + `{"fields":{"n":3},"level":"info","message":"hello",` + capShard + `,"ts":"2024-05-06T07:08:09.123Z"}`}},
		{"task and type as record attributes", func(l *slog.Logger) { l.Warn("slow", "task", "acme/mat", "type", "materialize") },
			[]string{`ops/logs/kind=materialization/name=acme%2Fmat/pivot=00 {"level":"warn","message":"slow","shard":{"keyBegin":"00000000","kind":"materialization","name":"acme/mat","rClockBegin":"00000000"},"ts":"2024-05-06T07:08:09.123Z"}`}},
		{"task unknown to the catalog, with its type", func(l *slog.Logger) { l.Error("gone", "task", "old/x", "type", "derivation") },
			[]string{`ops/logs/kind=derivation/name=old%2Fx/pivot=00 {"level":"error","message":"gone","shard":{"keyBegin":"00000000","kind":"derivation","name":"old/x","rClockBegin":"00000000"},"ts":"2024-05-06T07:08:09.123Z"}`}},
		{"task unknown without a type has nowhere to go", func(l *slog.Logger) { l.Info("x", "task", "old/x") }, nil},
		{"records of no task are the runtime's own", func(l *slog.Logger) { l.Info("listening", "addr", ":1") }, nil},
		{"below info is not written", func(l *slog.Logger) { l.Debug("detail", "task", "acme/cap") }, nil},
		{"groups nest, errors and odd values become text", func(l *slog.Logger) {
			l.With("task", "acme/cap").WithGroup("g").With("a", 1).Error("failed", "error", errors.New("boom"),
				"took", 1500*time.Millisecond, "nan", math.NaN(), "at", opsTestTime, "obj", map[string]any{"k": []int{1}}, slog.Group("h", "b", true))
		}, []string{capJournal + `{"fields":{"g":{"a":1,"at":"2024-05-06T07:08:09.123Z","error":"boom","h":{"b":true},"nan":"NaN","obj":{"k":[1]},"took":"1.5s"}},"level":"error","message":"failed",` + capShard + `,"ts":"2024-05-06T07:08:09.123Z"}`}},
		{"a task attribute inside a group is a field", func(l *slog.Logger) { l.With("task", "acme/cap").WithGroup("g").Info("m", "task", "other") },
			[]string{capJournal + `{"fields":{"g":{"task":"other"}},"level":"info","message":"m",` + capShard + `,"ts":"2024-05-06T07:08:09.123Z"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := testSink(16)
			var process bytes.Buffer
			inner := slog.NewTextHandler(&process, &slog.HandlerOptions{Level: slog.LevelWarn})
			h := newOpsLogHandler(inner, sink)
			tc.log(slog.New(fixedTime{h}))
			got := queued(t, sink)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("queued\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestOpsLogHandlerPassesThrough checks that the process log keeps its own level.
func TestOpsLogHandlerPassesThrough(t *testing.T) {
	var process bytes.Buffer
	l := slog.New(newOpsLogHandler(slog.NewTextHandler(&process, &slog.HandlerOptions{Level: slog.LevelWarn}), testSink(4)))
	l.Info("quiet", "task", "acme/cap")
	l.Warn("loud", "task", "acme/cap")
	if got := process.String(); strings.Contains(got, "quiet") || !strings.Contains(got, "msg=loud task=acme/cap") {
		t.Errorf("process log: %q", got)
	}
}

// fixedTime stamps records with opsTestTime, so that documents are predictable.
type fixedTime struct{ slog.Handler }

func (f fixedTime) Handle(ctx context.Context, r slog.Record) error {
	r.Time = opsTestTime
	return f.Handler.Handle(ctx, r)
}
func (f fixedTime) WithAttrs(a []slog.Attr) slog.Handler { return fixedTime{f.Handler.WithAttrs(a)} }
func (f fixedTime) WithGroup(n string) slog.Handler      { return fixedTime{f.Handler.WithGroup(n)} }

// slowClient blocks every Append until released, and records what was appended.
type slowClient struct {
	journal.Client
	release chan struct{}
	mu      sync.Mutex
	entered chan struct{}
	lines   []string
}

func (c *slowClient) Append(ctx context.Context, appends []journal.Append) error {
	select {
	case c.entered <- struct{}{}:
	default:
	}
	select {
	case <-c.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range appends {
		c.lines = append(c.lines, strings.Split(strings.TrimSuffix(string(a.Content), "\n"), "\n")...)
	}
	return nil
}

// TestOpsSinkDropsWhenSlow checks that a slow data directory costs dropped documents, counted,
// rather than blocked tasks or unbounded memory, and that everything queued is appended.
func TestOpsSinkDropsWhenSlow(t *testing.T) {
	client := &slowClient{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	var process bytes.Buffer
	sink := newOpsSink(client, slog.New(slog.NewTextHandler(&process, nil)), time.Now, 4)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { sink.run(stop); close(done) }()
	doc := func(i int) journal.Document {
		return journal.Document{Journal: "ops/logs/kind=capture/name=a/pivot=00", Doc: map[string]any{"i": i}}
	}
	sink.offer(doc(0))
	<-client.entered // the first batch is stuck in Append
	for i := 1; i <= 10; i++ {
		sink.offer(doc(i)) // returns at once: 4 queue, 6 drop
	}
	if got := sink.Dropped(); got != 6 {
		t.Errorf("dropped %d documents, want 6", got)
	}
	close(client.release)
	close(stop)
	<-done
	var docs, acks int
	for _, l := range client.lines {
		if strings.Contains(l, `"ack":true`) {
			acks++
		} else {
			docs++
		}
	}
	if docs != 5 || acks < 2 {
		t.Errorf("appended %d documents and %d ACKs, want 5 documents (0-4), each batch acknowledged: %q", docs, acks, client.lines)
	}
	if !strings.Contains(process.String(), "dropped=6") {
		t.Errorf("the drop was not reported in the process log: %q", process.String())
	}
}
