package controlplane

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// benchStore opens a fresh store per backend for a benchmark.
func benchStore(b *testing.B, bk backend) *Store {
	b.Helper()
	s, err := OpenStore(context.Background(), bk.url(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchSpecs(n, version int) []api.DraftSpec {
	specs := make([]api.DraftSpec, n)
	for i := range specs {
		raw, _ := json.Marshal(map[string]any{
			"key": []string{"/id"},
			"schema": map[string]any{"type": "object", "title": fmt.Sprintf("v%d", version),
				"properties": map[string]any{"id": map[string]any{"type": "string"}, "n": map[string]any{"type": "integer"}},
				"required":   []string{"id"}},
		})
		specs[i] = api.DraftSpec{CatalogName: fmt.Sprintf("acmeCo/bench/c%05d", i), SpecType: api.Collection, Spec: raw}
	}
	return specs
}

// BenchmarkPublish100Specs is one publication of a 100-spec draft that changes every spec: create
// the draft, store its specs, build, and commit. The baseline is the storage floor: one transaction
// writing the same 100 specs as plain rows.
func BenchmarkPublish100Specs(b *testing.B) {
	for _, bk := range backends {
		b.Run(bk.name+"/publish", func(b *testing.B) {
			s := benchStore(b, bk)
			cp := New(s, nil)
			p := principal(b, s, "bench", "acmeCo/=admin")
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				d, err := s.CreateDraft(ctx, p, "")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.UpsertDraftSpecs(ctx, p, d.ID, benchSpecs(100, i)); err != nil {
					b.Fatal(err)
				}
				if _, err := cp.Publish(ctx, p, d.ID, api.PublishRequest{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publications/s")
		})
		b.Run(bk.name+"/baseline-100-row-tx", func(b *testing.B) {
			s := benchStore(b, bk)
			ctx := context.Background()
			specs := benchSpecs(100, 0)
			b.ResetTimer()
			for i := range b.N {
				err := s.inTx(ctx, func(tx *sql.Tx) error {
					for _, ds := range specs {
						if _, err := s.exec(ctx, tx, `INSERT INTO live_specs (catalog_name, spec_type, spec, last_pub_id, last_pub_user, updated_at)
							VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (catalog_name) DO UPDATE SET spec = excluded.spec, last_pub_id = excluded.last_pub_id`,
							ds.CatalogName, string(ds.SpecType), string(ds.Spec), fmt.Sprintf("%016x", i), "bench", now()); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// BenchmarkCatalogList10k is `catalog list` against 10,000 live specs: the HTTP request, the query,
// grant filtering and JSON encoding. The baseline scans the same rows with a bare SELECT.
func BenchmarkCatalogList10k(b *testing.B) {
	for _, bk := range backends {
		s := benchStore(b, bk)
		cp := New(s, nil)
		ctx := context.Background()
		tok, err := s.CreateUser(ctx, "bench", []api.Grant{{Prefix: "acmeCo/", Capability: "admin"}})
		if err != nil {
			b.Fatal(err)
		}
		// Seed the live specs with one commit: building 10,000 collections is not what is measured.
		p, _ := s.Authenticate(ctx, tok.Secret)
		var changes []change
		for _, ds := range benchSpecs(10000, 0) {
			changes = append(changes, change{name: ds.CatalogName, specType: ds.SpecType, raw: ds.Spec})
		}
		d, _ := s.CreateDraft(ctx, p, "")
		if _, _, err := s.commit(ctx, p, d.ID, "seed", changes); err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(cp.Handler(0))
		b.Run(bk.name+"/catalog-list", func(b *testing.B) {
			for range b.N {
				req, _ := http.NewRequest("GET", srv.URL+"/api/v1/live-specs?prefix=acmeCo/", nil)
				req.Header.Set("Authorization", "Bearer "+tok.Secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var specs []api.LiveSpec
				if err := json.NewDecoder(resp.Body).Decode(&specs); err != nil || len(specs) != 10000 {
					b.Fatalf("listed %d specs: %v", len(specs), err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		b.Run(bk.name+"/baseline-select", func(b *testing.B) {
			for range b.N {
				rows, err := s.query(ctx, s.db, `SELECT catalog_name, spec_type, last_pub_id, last_pub_user, updated_at FROM live_specs ORDER BY catalog_name`)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var a, c, d, e, f string
					if err := rows.Scan(&a, &c, &d, &e, &f); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != 10000 {
					b.Fatalf("scanned %d rows", n)
				}
			}
		})
		srv.Close()
	}
}
