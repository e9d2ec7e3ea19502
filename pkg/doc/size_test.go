package doc

import (
	"fmt"
	"runtime"
	"testing"
)

// The combiner's memory bound is only as good as its size estimate: hold decoded documents of
// several shapes and compare the estimate with the heap they really occupy. (The estimate before
// this test was 0.72 of the heap for benchDocs, so a 64 MiB bound held ~90 MiB of documents.)
func TestEstimateSizeTracksHeap(t *testing.T) {
	shapes := map[string]func(i int) []byte{
		"benchDocs": func(i int) []byte { return benchDocs(1, 1<<30)[0] },
		"wide object": func(i int) []byte {
			b := []byte(`{`)
			for p := range 40 {
				b = fmt.Appendf(b, `"prop%d":"value %d of document %d",`, p, p, i)
			}
			return append(b, `"last":null}`...)
		},
		"numbers array": func(i int) []byte { return fmt.Appendf(nil, `[%d,%d.5,%d,true,false,null,"s%d"]`, i, i, -i, i) },
		"nested small": func(i int) []byte {
			return fmt.Appendf(nil, `{"a":{"b":{"c":{"d":"%d"}}},"e":[{"f":%d},{"g":[1,2,3]}]}`, i, i)
		},
	}
	const n = 20_000
	for name, gen := range shapes {
		t.Run(name, func(t *testing.T) {
			raw := make([][]byte, n)
			for i := range raw {
				raw[i] = gen(i)
			}
			held := make([]any, n)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var est int64
			for i, b := range raw {
				held[i] = mustDecode(t, string(b))
				est += estimateSize(held[i])
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			actual := int64(after.HeapAlloc) - int64(before.HeapAlloc)
			runtime.KeepAlive(held)
			// Under-estimating lets the heap outgrow the bound; over-estimating (the runtime packs
			// small scalars into shared tiny blocks) only spills early, so it may be looser.
			if ratio := float64(est) / float64(actual); ratio < 0.9 || ratio > 1.8 {
				t.Errorf("estimated %d B per document, the heap holds %d B (ratio %.2f): the combiner's bound would be off by that much",
					est/n, actual/n, ratio)
			}
		})
	}
}
