package doc

import (
	"testing"

	"github.com/flowctl/flowctl/internal/testdocs"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// reduceBench holds the bench schema's documents with the annotations their validation yields.
type reduceBench struct {
	docs []any
	anns []*schema.Annotation
}

func newReduceBench(b *testing.B) reduceBench {
	sch := compileSchema(b, benchSchema)
	var rb reduceBench
	for _, raw := range testdocs.Bench(1000, 1000) {
		d := mustDecode(b, string(raw))
		ann, err := sch.ValidateReduce(d)
		if err != nil {
			b.Fatal(err)
		}
		rb.docs, rb.anns = append(rb.docs, d), append(rb.anns, ann)
	}
	return rb
}

// BenchmarkReduceAny and BenchmarkReduceNodes reduce each bench document into the one before it
// (partial: a combiner folding two documents of a key) and each alone (full: a combiner
// draining a key seen once). ReduceAny measures the any API, an adapter that copies its values
// into an arena and the result out of it.
func BenchmarkReduceAny(b *testing.B) {
	rb := newReduceBench(b)
	n := len(rb.docs)
	b.Run("partial", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if _, err := Reduce(rb.docs[i%n], rb.docs[(i+1)%n], true, rb.anns[(i+1)%n], false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("alone", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if _, err := Reduce(nil, rb.docs[i%n], false, rb.anns[i%n], true); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReduceNodes(b *testing.B) {
	rb := newReduceBench(b)
	n := len(rb.docs)
	// The documents are copied into the arena the reductions allocate in, again whenever
	// results have filled it for a while.
	var arena node.Arena
	docs := make([]node.Node, n)
	load := func() {
		arena.Reset()
		for i, d := range rb.docs {
			docs[i] = arena.FromAny(d)
		}
	}
	run := func(b *testing.B, full bool) {
		load()
		r := nodeReducer{arena: &arena, full: full}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%n == n-1 {
				b.StopTimer()
				load()
				b.StartTimer()
			}
			lhs, lhsOK, rhs := docs[i%n], !full, docs[(i+1)%n]
			if _, _, err := r.reduce(lhs, lhsOK, rhs, rb.anns[(i+1)%n]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("partial", func(b *testing.B) { run(b, false) })
	b.Run("alone", func(b *testing.B) { run(b, true) })
}
