package runtime

import (
	"io"
	"log/slog"
	"testing"
)

// BenchmarkOpsLogRecord measures what a task's log record costs with the ops logs (the process
// handler plus a log document queued) against the process handler alone. A consumer empties the
// queue as the sink would, without I/O: this is the cost a task pays, not the append's.
func BenchmarkOpsLogRecord(b *testing.B) {
	process := func() slog.Handler { return slog.NewTextHandler(io.Discard, nil) }
	b.Run("process-log-only", func(b *testing.B) {
		l := slog.New(process()).With("task", "acme/cap", "type", TaskCapture)
		for b.Loop() {
			l.Info("committed a transaction", "docs", 100, "bytes", 12345)
		}
	})
	b.Run("with-ops-logs", func(b *testing.B) {
		sink := testSink(opsQueueCapacity)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-sink.queue:
				case <-stop:
					return
				}
			}
		}()
		l := slog.New(newOpsLogHandler(process(), sink)).With("task", "acme/cap", "type", TaskCapture)
		for b.Loop() {
			l.Info("committed a transaction", "docs", 100, "bytes", 12345)
		}
		b.ReportMetric(float64(sink.Dropped()), "dropped")
	})
}

// BenchmarkOpsStatsCommit measures what a shard pays per committed transaction for its ops stats
// document (built and queued; a consumer empties the queue without I/O) against adding the
// transaction to the task totals alone. The transaction has three bindings.
func BenchmarkOpsStatsCommit(b *testing.B) {
	txn := newTxnStats([]bindingTxn{{collection: "acme/a"}, {collection: "acme/b"}, {collection: "acme/c"}})
	for i := range txn.bindings {
		txn.sourceRead(i, 100, opsTestTime)
		txn.bindings[i].out.add(1, 120)
	}
	b.Run("totals-only", func(b *testing.B) {
		cell := &statsCell{s: TaskStats{Task: "acme/mat", Type: TaskMaterialization}}
		for b.Loop() {
			cell.commit(txn)
		}
	})
	b.Run("with-ops-stats", func(b *testing.B) {
		sink := testSink(opsQueueCapacity)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-sink.queue:
				case <-stop:
					return
				}
			}
		}()
		cell := &statsCell{s: TaskStats{Task: "acme/mat", Type: TaskMaterialization}, ops: sink}
		for b.Loop() {
			cell.commit(txn)
		}
		b.ReportMetric(float64(sink.Dropped()), "dropped")
	})
}
