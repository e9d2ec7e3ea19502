package controlplane

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/journal"
)

// BenchmarkCollectionRead reads 10,000 committed documents of a published collection through GET
// /api/v1/collections/read ("http"), beside the same read straight from the journal ("journal"), the
// baseline the route adds authentication, JSON lines and HTTP to.
func BenchmarkCollectionRead(b *testing.B) {
	const docs = 10000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := OpenStore(ctx, filepath.Join(b.TempDir(), "flowd.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cp := New(s, nil)
	cp.Tests = nil
	token := tokenOf(b, s, "alice", "acmeCo/=admin")
	p, err := s.Authenticate(ctx, token)
	if err != nil {
		b.Fatal(err)
	}
	mustPublish(b, cp, p, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")})
	d, err := StartDataPlane(ctx, s, DataPlaneOptions{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { cancel(); _ = d.Wait() }()
	if err := d.journals.AddCollection(journal.CollectionSpec{Name: "acmeCo/orders"}); err != nil {
		b.Fatal(err)
	}
	name, err := d.journals.JournalFor("acmeCo/orders", nil)
	if err != nil {
		b.Fatal(err)
	}
	producer, _ := journal.NewProducerID()
	pub := journal.NewPublisher(d.journals, producer, 0, time.Now)
	for start := 0; start < docs; start += 1000 {
		batch := make([]journal.Document, 1000)
		for i := range batch {
			batch[i] = journal.Document{Journal: name, Doc: map[string]any{"id": "order-" + string(rune('a'+i%26)), "other": "x", "region": "EU"}}
		}
		if err := pub.Publish(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(cp.DataPlaneHandler(d))
	defer srv.Close()

	b.Run("journal", func(b *testing.B) {
		for b.Loop() {
			r, err := journal.ReadCommitted(ctx, d.journals, name, journal.Checkpoint{}, false)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Next(ctx); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
		b.ReportMetric(float64(docs*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
	b.Run("http", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/collections/read?name=acmeCo/orders", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(resp.Status, err)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
		b.ReportMetric(float64(docs*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
}
