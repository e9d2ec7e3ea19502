package materialize

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFiles: rows/s appended by materialize-files through the protocol (stores of whole
// documents, a startCommit per benchTxnRows), beside writing the same lines to a file through
// bufio with one fsync per transaction.
func BenchmarkFiles(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "things.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	appendBaseline := func(round int) {
		for j := range benchTxnRows {
			w.Write(benchDoc(benchID(round, j), j))
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	spec := filesSpec(b.TempDir())
	spec.Bindings = spec.Bindings[:1]
	ps := openProtocolSession(b, filesEndpoint, spec)
	benchInterleaved(b, appendBaseline, func(round int) { ps.txn(round, false, filesCheckpoint(int64(round+1))) })
}
