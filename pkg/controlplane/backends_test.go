package controlplane

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// backend opens a fresh, migrated store.
type backend struct {
	name string
	url  func(t testing.TB) string
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "flowd.db") }},
	{"postgres", func(t testing.TB) string {
		c := pgtest.Shared(t)
		return c.URL(c.NewDatabase(t))
	}},
}

// forEachBackend runs fn once per database backend, each with its own empty database.
func forEachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, err := OpenStore(context.Background(), b.url(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}
