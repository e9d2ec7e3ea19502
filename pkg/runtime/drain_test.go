package runtime

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/node"
)

const drainCatalog = `
collections:
  d/in:
    schema: {type: object, properties: {id: {type: integer}}, required: [id]}
    key: [/id]
  d/out:
    schema: {type: object, properties: {id: {type: integer}}, required: [id]}
    key: [/id]
    derive:
      using: {sqlite: {}}
      transforms:
        - {name: copy, source: d/in, shuffle: any, lambda: SELECT $id AS id;}
`

// blockingEngine is a derivation engine whose first Read waits for release, so that a test can
// stop the runtime in the middle of a transaction.
type blockingEngine struct {
	reading chan struct{} // closed when the first Read starts
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	read    []SourceDoc
	commits []*ShardCheckpoint
}

func (e *blockingEngine) Checkpoint(context.Context) ([]byte, error) { return nil, nil }

func (e *blockingEngine) Read(_ context.Context, _ int, d SourceDoc) error {
	e.once.Do(func() { close(e.reading); <-e.release })
	e.mu.Lock()
	e.read = append(e.read, d)
	e.mu.Unlock()
	return nil
}

func (e *blockingEngine) DrainNodes(fn func(doc.Drained) error) error {
	e.mu.Lock()
	n := len(e.read)
	e.read = nil
	e.mu.Unlock()
	var a node.Arena
	for i := range n {
		if err := fn(doc.Drained{Arena: &a, Node: a.FromAny(map[string]any{"id": json.Number(strconv.Itoa(i + 1))})}); err != nil {
			return err
		}
	}
	return nil
}

func (e *blockingEngine) Commit(_ context.Context, raw []byte) error {
	cp, err := DecodeCheckpoint(raw)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.commits = append(e.commits, cp)
	e.mu.Unlock()
	return nil
}

func (e *blockingEngine) Close() error { return nil }

// TestStopDrainsTransaction stops the runtime while a derivation is inside a transaction: the
// transaction must still commit (checkpoint and published documents), not be abandoned.
func TestStopDrainsTransaction(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(drainCatalog), 0o644); err != nil {
		t.Fatal(err)
	}
	built := catalogtest.BuildFile(t, src)
	l, err := journal.OpenLocal(journal.LocalOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, c := range built.Collections {
		if err := l.AddCollection(journal.CollectionSpec{Name: c.Name}); err != nil {
			t.Fatal(err)
		}
	}
	engine := &blockingEngine{reading: make(chan struct{}), release: make(chan struct{})}
	rt := New(Options{Built: built, Client: l, DataDir: dir,
		OpenDerive: func(context.Context, *catalog.BuiltCollection, string) (DeriveEngine, error) { return engine, nil }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.Run(ctx); close(done) }()

	if err := rt.Ingest(context.Background(), built.Collection("d/in"), []json.RawMessage{json.RawMessage(`{"id":7}`)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-engine.reading:
	case <-time.After(20 * time.Second):
		t.Fatal("the derivation never read the ingested document")
	}
	cancel() // stop while the transaction is open
	close(engine.release)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}

	if len(engine.commits) != 1 {
		t.Fatalf("%d commits after the stop, want the open transaction's one", len(engine.commits))
	}
	var through int64
	for _, sc := range engine.commits[0].Sources {
		through += sc.ReadThrough
	}
	if through == 0 {
		t.Errorf("the drained commit did not record the read offset: %+v", engine.commits[0].Sources)
	}
	// Its published document was acknowledged: read-committed readers see it.
	journals, err := l.ListJournals(context.Background(), "d/out")
	if err != nil || len(journals) != 1 {
		t.Fatalf("journals of d/out: %v %v", journals, err)
	}
	r, err := journal.ReadCommitted(context.Background(), l, journals[0].Name, journal.Checkpoint{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs int
	for {
		d, err := r.Next(context.Background())
		if err != nil {
			break
		}
		if !d.IsAck() {
			docs++
		}
	}
	if docs != 1 {
		t.Errorf("d/out holds %d committed documents, want 1", docs)
	}
	if s := rt.Stats(); s[0].Commits != 1 || s[0].DocsIn != 1 || s[0].DocsOut != 1 || s[0].BytesOut == 0 {
		t.Errorf("stats %+v", s)
	}
}
