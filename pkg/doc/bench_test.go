package doc

import (
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// benchSchema is a ~500-byte document shape with reductions at several locations.
const benchSchema = `{"type":"object","reduce":{"strategy":"merge"},"required":["id","ts","kind"],
 "properties":{
  "id":{"type":"string"},"ts":{"type":"string","format":"date-time"},
  "kind":{"enum":["view","click","buy"]},
  "count":{"type":"integer","reduce":{"strategy":"sum"}},
  "amount":{"type":"number","reduce":{"strategy":"sum"}},
  "maxPrice":{"type":"number","reduce":{"strategy":"maximize"}},
  "firstSeen":{"type":"string","reduce":{"strategy":"firstWriteWins"}},
  "tags":{"type":"array","items":{"type":"string"},"reduce":{"strategy":"append"}},
  "device":{"type":"object","properties":{"os":{"type":"string"},"model":{"type":"string"},
            "screen":{"type":"object","properties":{"w":{"type":"integer"},"h":{"type":"integer"}}}}},
  "note":{"type":["string","null"]}
 }}`

func docsBytes(docs [][]byte) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return n
}

// BenchmarkValidate is decode + validation alone, the baseline for BenchmarkValidateCombine.
func BenchmarkValidate(b *testing.B) {
	sch := compileSchema(b, benchSchema)
	docs := testdocs.Bench(100_000, 100_000)
	b.SetBytes(docsBytes(docs) / int64(len(docs)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Decode(docs[i%len(docs)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sch.ValidateReduce(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkValidateCombine feeds JSON bytes (as the runtime does), validates, reduces by key
// (100k distinct keys) and drains fully, re-validating combined documents and writing them as
// JSON: the whole per-document cost of a combiner.
func BenchmarkValidateCombine(b *testing.B) {
	benchCombine(b, true, true)
}

// BenchmarkValidateCombineAny is BenchmarkValidateCombine through Decode and Add(any), the
// decoded-values path, as a baseline in the same run.
func BenchmarkValidateCombineAny(b *testing.B) {
	benchCombine(b, true, false)
}

// BenchmarkCombineOnly measures the combiner without schema validation (a validator that only
// returns fixed annotations), to show the combiner's own share.
func BenchmarkCombineOnly(b *testing.B) {
	benchCombine(b, false, true)
}

// fixedAnnotations skips validation and returns one document's annotations for every document.
type fixedAnnotations struct{}

var fixedAnn *schema.Annotation

func (fixedAnnotations) ValidateReduceNode(*node.Arena, node.Node) (*schema.Annotation, error) {
	return fixedAnn, nil
}

func benchCombine(b *testing.B, validate, fromBytes bool) {
	sch := compileSchema(b, benchSchema)
	docs := testdocs.Bench(100_000, 100_000)
	var v Validator = sch
	if !validate {
		ann, err := sch.ValidateReduce(mustDecode(b, string(docs[0])))
		if err != nil {
			b.Fatal(err)
		}
		fixedAnn = ann
		v = fixedAnnotations{}
	}
	c, _ := NewCombiner(CombinerSpec{Key: keyOf("/id"), Schema: v})
	var out []byte
	drain := func() { // writes each combined document as JSON, as a shard publishes it
		if err := c.Drain(true, func(d Drained) error {
			out = d.AppendJSON(out[:0])
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(docsBytes(docs) / int64(len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%len(docs) == 0 {
			drain() // a transaction's worth, into the same Combiner, as a shard reuses it
		}
		raw := docs[i%len(docs)]
		var err error
		if fromBytes {
			err = c.AddJSON(raw)
		} else {
			var d any
			if d, err = Decode(raw); err == nil {
				err = c.Add(d)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	drain()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
