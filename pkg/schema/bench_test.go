package schema

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/flowctl/flowctl/pkg/node"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// benchSchema resembles the schema of performance-anchors.md section 1: $defs/$ref, required, enum,
// pattern, date-time and uuid formats, additionalProperties: false, exclusiveMinimum, and `reduce`
// at seven locations.
const benchSchema = `{
  "$defs": {
    "item": {"type": "object", "required": ["sku", "qty", "price"], "additionalProperties": false,
      "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
        "qty": {"type": "integer", "minimum": 0, "reduce": {"strategy": "sum"}},
        "price": {"type": "number", "exclusiveMinimum": 0}}}
  },
  "type": "object", "reduce": {"strategy": "merge"},
  "required": ["id", "ts", "user", "kind", "amount", "count", "device", "items", "_meta"],
  "additionalProperties": false,
  "properties": {
    "id": {"type": "integer"}, "ts": {"type": "string", "format": "date-time"},
    "user": {"type": "string", "format": "uuid"},
    "kind": {"enum": ["click", "view", "buy", "refund"]},
    "note": {"type": ["string", "null"], "maxLength": 64},
    "amount": {"type": "number", "reduce": {"strategy": "sum"}},
    "count": {"type": "integer", "reduce": {"strategy": "sum"}},
    "tags": {"type": "array", "items": {"type": "string"}, "reduce": {"strategy": "append"}},
    "last_seen": {"type": "string", "format": "date-time", "reduce": {"strategy": "maximize"}},
    "score": {"type": "number", "exclusiveMinimum": -1000},
    "region": {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"},
    "device": {"type": "object", "required": ["os", "screen"], "properties": {
      "os": {"type": "string"}, "version": {"type": "string"},
      "screen": {"type": "object", "required": ["w", "h"], "properties": {"w": {"type": "integer", "exclusiveMinimum": 0}, "h": {"type": "integer", "exclusiveMinimum": 0}}}}},
    "items": {"type": "array", "items": {"$ref": "#/$defs/item"}, "maxItems": 3, "reduce": {"strategy": "append"}},
    "_meta": {"type": "object", "required": ["uuid"], "properties": {"uuid": {"type": "string", "format": "uuid"}}}
  }
}`

// benchCorpus is 100,000 distinct documents, built once per test binary.
var benchCorpus = sync.OnceValues(func() ([]any, int) { return benchDocs(100_000) })

// benchDocs generates n distinct documents deterministically and their average JSON size.
func benchDocs(n int) ([]any, int) {
	rng := rand.New(rand.NewPCG(42, 42))
	kinds := []string{"click", "view", "buy", "refund"}
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff)
	}
	docs := make([]any, n)
	total := 0
	for i := range docs {
		items := make([]any, rng.IntN(4))
		for j := range items {
			items[j] = map[string]any{"sku": fmt.Sprintf("ABC-%04d", rng.IntN(10000)), "qty": rng.IntN(9), "price": float64(1+rng.IntN(9999)) / 100}
		}
		doc := map[string]any{
			"id": i, "ts": fmt.Sprintf("2026-11-%02dT%02d:%02d:%02dZ", 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60)),
			"user": uuid(), "kind": kinds[rng.IntN(4)], "note": nil, "amount": float64(rng.IntN(100000)) / 100,
			"count": rng.IntN(100), "tags": []any{"a", "bb", "ccc"}[:rng.IntN(4)],
			"last_seen": "2026-11-21T10:00:00.123Z", "score": float64(rng.IntN(2000)) - 999.5, "region": "us-east-1",
			"device": map[string]any{"os": "linux", "version": "6.1", "screen": map[string]any{"w": 1920, "h": 1080}},
			"items":  items, "_meta": map[string]any{"uuid": uuid()},
		}
		if rng.IntN(2) == 0 {
			doc["note"] = "a short note about this event"
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			panic(err)
		}
		total += len(raw)
		var decoded any
		dec := json.NewDecoder(bytesReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&decoded); err != nil {
			panic(err)
		}
		docs[i] = decoded
	}
	return docs, total / len(docs)
}

func runValidation(b *testing.B, validate func(any) error) {
	docs, avg := benchCorpus()
	b.SetBytes(int64(avg))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := validate(docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkValidate compares, in one run on the same documents, this package's Validate and
// ValidateReduce with santhosh-tekuri/jsonschema used directly (format assertion on).
func BenchmarkValidate(b *testing.B) {
	s := compile(b, benchSchema)
	b.Run("santhosh-raw", func(b *testing.B) {
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("file:///bench.json", decode(b, benchSchema)); err != nil {
			b.Fatal(err)
		}
		raw := c.MustCompile("file:///bench.json")
		runValidation(b, raw.Validate)
	})
	b.Run("Validate", func(b *testing.B) { runValidation(b, s.Validate) })
	b.Run("ValidateReduce", func(b *testing.B) {
		runValidation(b, func(doc any) error {
			_, err := s.ValidateReduce(doc)
			return err
		})
	})
	b.Run("ValidateNode", func(b *testing.B) { runNodeValidation(b, s.ValidateNode) })
	b.Run("ValidateReduceNode", func(b *testing.B) {
		runNodeValidation(b, func(a *node.Arena, doc node.Node) error {
			_, err := s.ValidateReduceNode(a, doc)
			return err
		})
	})
}

// benchNodes is the corpus copied into one arena, as a combiner holds documents.
var benchNodes = sync.OnceValues(func() (*node.Arena, []node.Node) {
	docs, _ := benchCorpus()
	a := &node.Arena{}
	nodes := make([]node.Node, len(docs))
	for i, doc := range docs {
		nodes[i] = a.FromAny(doc)
	}
	return a, nodes
})

func runNodeValidation(b *testing.B, validate func(*node.Arena, node.Node) error) {
	_, avg := benchCorpus()
	a, nodes := benchNodes()
	b.SetBytes(int64(avg))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := validate(a, nodes[i%len(nodes)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func TestBenchCorpusIsValid(t *testing.T) {
	docs, avg := benchDocs(2000)
	if avg < 400 || avg > 650 {
		t.Errorf("average document size %d B, want about 500", avg)
	}
	s := compile(t, benchSchema)
	for i, doc := range docs {
		ann, err := s.ValidateReduce(doc)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		if ann.Strategy() == nil || ann.Strategy().Strategy != Merge || ann.Child("count").Strategy().Strategy != Sum {
			t.Fatalf("doc %d: annotations %v", i, flatten(ann, doc))
		}
	}
}
