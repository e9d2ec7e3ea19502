package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// benchTxn is one transaction's content: 1,000 stamped documents of about 250 bytes, with clocks
// taken from clock (so that successive transactions are not duplicates of one another).
func benchTxn(b *testing.B, clock *Clock) []byte {
	b.Helper()
	var buf bytes.Buffer
	for i := 0; i < 1000; i++ {
		u, _ := BuildUUID(ProducerID{1, 2, 3, 4, 5, 6}, clock.Tick(), FlagContinue)
		fmt.Fprintf(&buf, `{"_meta":{"uuid":"%s"},"customer":"cust-%06d","item":"widget-%d","note":"a short free-text note about the order, number %d","price":%d.%02d,"qty":%d}`+"\n",
			u, i*7919%1000000, i%37, i, i%500, i%100, 1+i%9)
	}
	u, _ := BuildUUID(ProducerID{1, 2, 3, 4, 5, 6}, clock.Tick(), FlagAck)
	fmt.Fprintf(&buf, `{"_meta":{"ack":true,"uuid":"%s"}}`+"\n", u)
	return buf.Bytes()
}

// BenchmarkAppend compares a durable, compressed journal append with the two raw costs it is made
// of, on the same bytes: write+fsync of a plain file, and gzip. The three are interleaved, one
// transaction each per iteration, so that the disk's varying fsync latency weighs on all of them
// alike; each reports MB/s and the journal's ratio to the slower raw limit.
func BenchmarkAppend(b *testing.B) {
	clock := NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	txn := benchTxn(b, &clock)
	dir := b.TempDir()
	l, err := OpenLocal(LocalOptions{DataDir: dir, FlushCheck: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	// 8 MiB fragments, so that rolls, and the persister's fsyncs competing for the disk, are part
	// of what is measured.
	if err := l.AddCollection(CollectionSpec{Name: "bench/orders", Fragments: FragmentTemplate{Length: 8 << 20}}); err != nil {
		b.Fatal(err)
	}
	appends := []Append{{Journal: "bench/orders/pivot=00", Content: txn}}
	raw, err := os.Create(filepath.Join(dir, "raw"))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	zw := gzip.NewWriter(io.Discard)
	defer zw.Close()

	var journalTime, fsyncTime, gzipTime time.Duration
	b.SetBytes(int64(len(txn)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := l.Append(context.Background(), appends); err != nil {
			b.Fatal(err)
		}
		journalTime += time.Since(start)

		start = time.Now()
		if _, err := raw.Write(txn); err != nil {
			b.Fatal(err)
		}
		if err := raw.Sync(); err != nil {
			b.Fatal(err)
		}
		fsyncTime += time.Since(start)

		start = time.Now()
		if _, err := zw.Write(txn); err != nil {
			b.Fatal(err)
		}
		gzipTime += time.Since(start)
	}
	b.StopTimer()
	reportThroughput(b, int64(len(txn))*int64(b.N), journalTime, fsyncTime, gzipTime)
}

// reportThroughput reports the MB/s of the journal and of each raw limit, and the journal's ratio to
// the slower limit.
func reportThroughput(b *testing.B, bytes int64, journalTime, fsyncTime, gzipTime time.Duration) {
	mbps := func(d time.Duration) float64 { return float64(bytes) / 1e6 / d.Seconds() }
	b.ReportMetric(mbps(journalTime), "journal-MB/s")
	b.ReportMetric(mbps(fsyncTime), "write+fsync-MB/s")
	b.ReportMetric(mbps(gzipTime), "gzip-MB/s")
	b.ReportMetric(mbps(journalTime)/min(mbps(fsyncTime), mbps(gzipTime)), "ratio")
}

// BenchmarkReadFragments reads 64 MiB of persisted gzip fragments: raw chunks, and documents
// sequenced read-committed (each line's UUID parsed).
func BenchmarkReadFragments(b *testing.B) {
	clock := NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	dir := b.TempDir()
	l, err := OpenLocal(LocalOptions{DataDir: dir, FlushCheck: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if err := l.AddCollection(CollectionSpec{Name: "bench/orders", Fragments: FragmentTemplate{Length: 8 << 20}}); err != nil {
		b.Fatal(err)
	}
	const journal = "bench/orders/pivot=00"
	var total, txns int64
	for total < 64<<20 {
		txn := benchTxn(b, &clock)
		if err := l.Append(context.Background(), []Append{{Journal: journal, Content: txn}}); err != nil {
			b.Fatal(err)
		}
		total += int64(len(txn))
		txns++
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	r, err := OpenLocal(LocalOptions{DataDir: dir, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("chunks", func(b *testing.B) {
		b.SetBytes(total)
		for i := 0; i < b.N; i++ {
			cr, err := r.Read(context.Background(), ReadRequest{Journal: journal})
			if err != nil {
				b.Fatal(err)
			}
			var n int64
			for {
				c, err := cr.Next(context.Background())
				if errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				n += int64(len(c.Data))
			}
			cr.Close()
			if n != total {
				b.Fatalf("read %d bytes of %d", n, total)
			}
		}
	})
	// committed-docs holds each 1,000-document transaction in the default ring; committed-replayed
	// holds 256 documents, so that every transaction is re-read from the journal when it commits.
	for _, bc := range []struct {
		name   string
		limits SequencerLimits
	}{{"committed-docs", SequencerLimits{}}, {"committed-replayed", SequencerLimits{Docs: 256}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(total)
			for i := 0; i < b.N; i++ {
				cr, err := ReadCommittedLimits(context.Background(), r, journal, Checkpoint{}, false, bc.limits)
				if err != nil {
					b.Fatal(err)
				}
				var docs int64
				for ; ; docs++ {
					if _, err := cr.Next(context.Background()); errors.Is(err, io.EOF) {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				cr.Close()
				if docs != txns*1001 {
					b.Fatalf("read %d committed documents of %d", docs, txns*1001)
				}
			}
		})
	}
}

// cpuTime is the process's user+system CPU time so far: persisting is mostly waiting on fsyncs,
// which hides in wall time what the CPU spends around them.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStorePut persists small fragments into one journal's current utc_date/utc_hour directory,
// as the persister does all hour long, and reports the CPU each takes beside its wall time.
func BenchmarkStorePut(b *testing.B) {
	s, err := newFileStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	content := bytes.Repeat([]byte("x"), 1024)
	write := func(w io.Writer) error { _, err := w.Write(content); return err }
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		rel := fmt.Sprintf("acme/events/pivot=00/utc_date=2025-01-01/utc_hour=00/%016x-%016x-0000000000000000000000000000000000000000.raw", i, i+1)
		if err := s.Put(context.Background(), rel, write); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}

// BenchmarkReadAtHead polls a journal whose reader is at the write head of its live spool, as a
// reader that caught up does on every wake: each Next finds no new frame and must tell a live spool
// from one rolled meanwhile.
func BenchmarkReadAtHead(b *testing.B) {
	l, err := OpenLocal(LocalOptions{DataDir: b.TempDir(), FlushCheck: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.AddCollection(CollectionSpec{Name: "bench/orders"}); err != nil {
		b.Fatal(err)
	}
	const journal = "bench/orders/pivot=00"
	ctx := context.Background()
	if err := l.Append(ctx, []Append{{Journal: journal, Content: []byte("{}\n")}}); err != nil {
		b.Fatal(err)
	}
	cr, err := l.Read(ctx, ReadRequest{Journal: journal})
	if err != nil {
		b.Fatal(err)
	}
	defer cr.Close()
	if _, err := cr.Next(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := cr.Next(ctx); !errors.Is(err, io.EOF) {
			b.Fatalf("Next at the head = %v, want io.EOF", err)
		}
	}
}

// BenchmarkStage stamps and stages a transaction of 1,000 encoded documents and its ACK intents,
// as a shard's publisher does per transaction.
func BenchmarkStage(b *testing.B) {
	var docs []Document
	for i := 0; i < 1000; i++ {
		prefix := `{"_meta":{"uuid":"`
		line := fmt.Sprintf(`%s%s"},"customer":"cust-%06d","qty":%d}`, prefix, UUIDPlaceholder, i*7919%1000000, 1+i%9)
		docs = append(docs, Document{Journal: fmt.Sprintf("bench/orders/pivot=%02d", i%4), JSON: []byte(line), UUIDAt: len(prefix)})
	}
	p := NewPublisher(nil, ProducerID{1, 2, 3, 4, 5, 6}, 0, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Stage(docs); err != nil {
			b.Fatal(err)
		}
		p.AckIntents()
	}
}
