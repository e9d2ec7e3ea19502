package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
