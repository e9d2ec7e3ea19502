package runtime

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowctl/flowctl/pkg/journal"
)

// Bounds of the ops sink. A full queue drops documents rather than block a task on I/O.
const (
	opsQueueCapacity = 8192
	opsBatchMax      = 1024
	// opsFlushTimeout bounds the final flush once the runtime stops.
	opsFlushTimeout = 5 * time.Second
)

// opsSink appends ops documents (task logs and stats) to their journals in the background:
// documents queue in a bounded channel, and one goroutine publishes what has queued as one
// transaction (documents, then ACKs) through a journal.Publisher. Tasks never wait for it.
type opsSink struct {
	client journal.Client
	// logger is the process logger, for the sink's own troubles: logging them through the ops
	// handler would feed the queue that is failing.
	logger  *slog.Logger
	now     func() time.Time
	queue   chan journal.Document
	dropped atomic.Int64 // documents lost: queue full, or their append failed
	tasks   opsTasks

	mu        sync.Mutex
	publisher *journal.Publisher // created on the first publish, under a new producer per process
}

func newOpsSink(client journal.Client, logger *slog.Logger, now func() time.Time, capacity int) *opsSink {
	return &opsSink{client: client, logger: logger, now: now, queue: make(chan journal.Document, capacity)}
}

// offer queues a document without waiting; a full queue drops it and counts the drop.
func (s *opsSink) offer(d journal.Document) {
	select {
	case s.queue <- d:
	default:
		s.dropped.Add(1)
	}
}

// Dropped is how many ops documents were lost so far.
func (s *opsSink) Dropped() int64 { return s.dropped.Load() }

// run publishes queued documents until stop closes, then publishes what is still queued.
func (s *opsSink) run(stop <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reported := int64(0)
	for {
		select {
		case d := <-s.queue:
			s.publish(ctx, s.batch(d))
		case <-stop:
			s.flush()
			return
		}
		if n := s.dropped.Load(); n > reported {
			s.logger.Warn("ops: task log and stats documents were dropped: the data directory is slower than the tasks log",
				"dropped", n-reported, "droppedTotal", n)
			reported = n
		}
	}
}

// batch takes first and whatever else is queued, up to opsBatchMax documents.
func (s *opsSink) batch(first journal.Document) []journal.Document {
	docs := []journal.Document{first}
	for len(docs) < opsBatchMax {
		select {
		case d := <-s.queue:
			docs = append(docs, d)
		default:
			return docs
		}
	}
	return docs
}

// flush publishes every queued document, within opsFlushTimeout.
func (s *opsSink) flush() {
	ctx, cancel := context.WithTimeout(context.Background(), opsFlushTimeout)
	defer cancel()
	for {
		select {
		case d := <-s.queue:
			s.publish(ctx, s.batch(d))
		default:
			return
		}
	}
}

func (s *opsSink) publish(ctx context.Context, docs []journal.Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publisher == nil {
		id, err := journal.NewProducerID()
		if err != nil {
			s.lose(docs, err)
			return
		}
		s.publisher = journal.NewPublisher(s.client, id, 0, s.now)
	}
	// A failed transaction is never acknowledged, so none of its documents become visible.
	if err := s.publisher.Publish(ctx, docs); err != nil {
		s.lose(docs, err)
	}
}

func (s *opsSink) lose(docs []journal.Document, err error) {
	s.dropped.Add(int64(len(docs)))
	s.logger.Error("ops: appending task logs and stats failed", "documents", len(docs), "error", err)
}
