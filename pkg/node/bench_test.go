package node_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
)

func avgSize(docs [][]byte) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return n / int64(len(docs))
}

// BenchmarkDecode compares Arena.Decode with doc.Decode and encoding/json on the combiner
// benchmark's documents. The arena is reset every 1000 documents, as a combiner's would be
// after a spill, so that it keeps its chunks.
func BenchmarkDecode(b *testing.B) {
	docs := testdocs.Bench(10_000, 10_000)
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(avgSize(docs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			dec := json.NewDecoder(bytes.NewReader(docs[i%len(docs)]))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("doc.Decode", func(b *testing.B) {
		b.SetBytes(avgSize(docs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := doc.Decode(docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Arena.Decode", func(b *testing.B) {
		b.SetBytes(avgSize(docs))
		b.ReportAllocs()
		var a node.Arena
		for i := 0; b.Loop(); i++ {
			if i%1000 == 0 {
				a.Reset()
			}
			if _, err := a.Decode(docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAppendJSON compares Arena.AppendJSON with doc.Append of the same document.
func BenchmarkAppendJSON(b *testing.B) {
	docs := testdocs.Bench(1000, 1000)
	var a node.Arena
	nodes := make([]node.Node, len(docs))
	values := make([]any, len(docs))
	for i, d := range docs {
		nodes[i], _ = a.Decode(d)
		values[i], _ = doc.Decode(d)
	}
	var buf []byte
	b.Run("doc.Append", func(b *testing.B) {
		b.SetBytes(avgSize(docs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			buf = doc.Append(buf[:0], values[i%len(values)])
		}
	})
	b.Run("Arena.AppendJSON", func(b *testing.B) {
		b.SetBytes(avgSize(docs))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			buf = a.AppendJSON(buf[:0], nodes[i%len(nodes)])
		}
	})
}
