package derive

import (
	"context"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
)

func openEngine(t testing.TB, built *catalog.Built, name, path string) *Engine {
	t.Helper()
	e, err := Open(context.Background(), built.Collection(name), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// testUUID is a document UUID published at 2024-05-01T10:00:00Z.
func testUUID(t testing.TB) journal.UUID {
	t.Helper()
	u, err := journal.BuildUUID(journal.ProducerID{1, 2, 3, 4, 5, 6},
		journal.NewClock(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)), journal.FlagContinue)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func source(t testing.TB, jsonDoc string) *Source {
	t.Helper()
	return &Source{Raw: []byte(jsonDoc), UUID: testUUID(t)}
}

// readAll reads each document through the transform and returns the drained documents as JSON.
func readAll(t testing.TB, e *Engine, transform string, docs ...string) []string {
	t.Helper()
	i, ok := e.Transform(transform)
	if !ok {
		t.Fatalf("no transform %s", transform)
	}
	for _, d := range docs {
		if err := e.Read(context.Background(), i, source(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	return drain(t, e)
}

func drain(t testing.TB, e *Engine) []string {
	t.Helper()
	var out []string
	if err := e.Drain(func(d map[string]any) error {
		out = append(out, string(doc.Append(nil, d)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonNumber(s string) any { v, _ := doc.Decode([]byte(s)); return v }
