package doc

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/node"
)

// BenchmarkValidateLibrary is the same-run baseline of BenchmarkValidateNode and
// BenchmarkValidateCombine: the fastest other Go validator measured (santhosh-tekuri/jsonschema,
// docs/performance.md), decoding each document with encoding/json as it requires and validating
// it against the same schema, with format assertion on.
func BenchmarkValidateLibrary(b *testing.B) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///bench.json", mustDecode(b, benchSchema)); err != nil {
		b.Fatal(err)
	}
	sch := c.MustCompile("file:///bench.json")
	docs := testdocs.Bench(100_000, 100_000)
	b.SetBytes(docsBytes(docs) / int64(len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dec := json.NewDecoder(bytes.NewReader(docs[i%len(docs)]))
		dec.UseNumber()
		var d any
		if err := dec.Decode(&d); err != nil {
			b.Fatal(err)
		}
		if err := sch.Validate(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkValidateNode is validation alone as the combiner runs it: decode into an arena and
// validate the node, collecting its reduce annotations.
func BenchmarkValidateNode(b *testing.B) {
	sch := compileSchema(b, benchSchema)
	docs := testdocs.Bench(100_000, 100_000)
	var a node.Arena
	b.SetBytes(docsBytes(docs) / int64(len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(docs) == 0 {
			a.Rewind()
		}
		n, err := a.Decode(docs[i%len(docs)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sch.ValidateReduceNode(&a, n); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
