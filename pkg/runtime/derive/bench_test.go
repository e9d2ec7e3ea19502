package derive

import (
	"context"
	"fmt"
	"testing"

	"github.com/flowctl/flowctl/internal/catalogtest"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/schema"
)

// benchCatalog is the derivation of pkg/develop's BenchmarkPipeline (running totals per
// customer) beside a lambda that only selects parameters, which shows the per-document work
// around SQLite more clearly.
const benchCatalog = `
collections:
  kt/orders:
    schema:
      type: object
      properties:
        id: {type: integer}
        customer: {type: string}
        region: {type: string}
        total: {type: integer}
        lines: {type: array, items: {type: object, properties: {sku: {type: string}, qty: {type: integer}}}}
      required: [id, customer, region, total]
    key: [/id]
  kt/totals:
    schema:
      type: object
      properties: {customer: {type: string}, orders: {type: integer}, spent: {type: integer}}
      required: [customer, orders, spent]
    key: [/customer]
    derive:
      using:
        sqlite:
          migrations:
            - CREATE TABLE totals (customer TEXT PRIMARY KEY, orders INTEGER NOT NULL, spent INTEGER NOT NULL);
      transforms:
        - name: totals
          source: kt/orders
          shuffle: {key: [/customer]}
          lambda: >
            INSERT INTO totals (customer, orders, spent) VALUES ($customer, 1, $total)
            ON CONFLICT (customer) DO UPDATE SET orders = orders + 1, spent = spent + excluded.spent
            RETURNING customer, orders, spent;
        - name: select
          source: kt/orders
          shuffle: any
          lambda: SELECT $customer AS customer, $id AS orders, $total AS spent, $region AS region, $lines AS lines;
`

func benchOrders(n int) [][]byte {
	docs := make([][]byte, n)
	for i := range docs {
		docs[i] = fmt.Appendf(nil, `{"_meta":{"uuid":"9f2952f3-c6a3-11ea-8802-080607050309"},"customer":"c%02d",`+
			`"id":%d,"lines":[{"qty":%d,"sku":"sku-%d"}],"region":"eu","total":%d}`, i%23, i, i%5, i%11, i%97)
	}
	return docs
}

// BenchmarkRead measures a derivation shard's Read of one source document, drained every 1,000
// documents as transactions would. decode+bind compares the binding of the select lambda's
// parameters from documents in a reused arena with the map binding it replaced, without SQLite.
func BenchmarkRead(b *testing.B) {
	built := catalogtest.Build(b, benchCatalog, nil)
	docs := benchOrders(1000)
	u := testUUID(b)
	ctx := context.Background()
	for _, transform := range []string{"totals", "select"} {
		b.Run("read/"+transform, func(b *testing.B) {
			e, err := OpenShard(ctx, built.Collection("kt/totals"), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			ti, _ := e.(shardEngine).Transform(transform)
			i := 0
			for b.Loop() {
				if err := e.Read(ctx, ti, runtime.SourceDoc{Raw: docs[i%len(docs)], UUID: u}); err != nil {
					b.Fatal(err)
				}
				if i++; i%1000 == 0 {
					if err := e.DrainNodes(func(doc.Drained) error { return nil }); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}

	t := built.Collection("kt/totals").Derivation.Transforms[1]
	params, err := resolveParams(t.Statements[0], t.Source.Projections)
	if err != nil {
		b.Fatal(err)
	}
	projections := make([]schema.Projection, len(params))
	for i, p := range params {
		for _, proj := range t.Source.Projections {
			if proj.Field == p.field {
				projections[i] = proj
			}
		}
	}
	args := make([]any, len(params))
	b.Run("decode+bind/map", func(b *testing.B) {
		i := 0
		for b.Loop() {
			raw := docs[i%len(docs)]
			v, err := doc.Decode(raw)
			if err != nil {
				b.Fatal(err)
			}
			for j, p := range projections {
				args[j] = mapBinding(p, v, raw)
			}
			i++
		}
	})
	b.Run("decode+bind/node", func(b *testing.B) {
		var a node.Arena
		src := reading{arena: &a}
		i := 0
		for b.Loop() {
			raw := docs[i%len(docs)]
			a.Reset()
			root, err := a.Decode(raw)
			if err != nil {
				b.Fatal(err)
			}
			src.root, src.raw = root, raw
			for j, p := range params {
				args[j] = p.bind(&src)
			}
			i++
		}
	})
}
