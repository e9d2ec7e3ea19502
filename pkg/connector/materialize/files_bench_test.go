package materialize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
)

// BenchmarkFiles measures rows/s appended by materialize-files through the protocol (stores
// of whole documents, a startCommit per benchTxnRows), beside the baseline of writing the same
// lines to a file with one fsync per transaction.
func BenchmarkFiles(b *testing.B) {
	b.Run("protocol", func(b *testing.B) {
		spec := filesSpec(b.TempDir())
		spec.Bindings = spec.Bindings[:1]
		s, err := connector.OpenMaterialize(b.Context(), filesEndpoint, connector.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		send := func(m *connector.MaterializeRequest) {
			if err := s.Send(m); err != nil {
				b.Fatal(err)
			}
		}
		recv := func(kind string) {
			if r, err := s.Recv(); err != nil || r.Kind() != kind {
				b.Fatalf("waiting for %s: %v", kind, err)
			}
		}
		send(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{Materialization: spec, Range: &connector.FullRange}})
		recv("opened")
		b.ResetTimer()
		for i := range b.N {
			send(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}})
			recv("acknowledged")
			send(&connector.MaterializeRequest{Flush: &connector.Flush{}})
			recv("flushed")
			for j := range benchTxnRows {
				id := fmt.Sprintf("key-%d-%d", i, j)
				send(&connector.MaterializeRequest{Store: &connector.Store{Key: json.RawMessage(`["` + id + `"]`),
					Values: json.RawMessage(fmt.Sprintf(`[%d,["x","y"]]`, j)), Doc: benchDoc(id, j)}})
			}
			send(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: filesCheckpoint(int64(i + 1))}})
			recv("startedCommit")
		}
		b.ReportMetric(float64(b.N*benchTxnRows)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("append", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "things.jsonl"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		b.ResetTimer()
		for i := range b.N {
			for j := range benchTxnRows {
				w.Write(benchDoc(fmt.Sprintf("key-%d-%d", i, j), j))
				w.WriteByte('\n')
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*benchTxnRows)/b.Elapsed().Seconds(), "rows/s")
	})
}
