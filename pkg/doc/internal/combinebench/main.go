// Command combinebench streams N generated ~500-byte documents over N/10 distinct keys through a
// doc.Combiner under a memory bound, drains it fully, checks the output (one document per key, in
// strictly increasing key order, each key's `count` summing to the documents it received) and
// reports throughput and the process's peak RSS. It is the issue's "10M-document combine under the
// memory bound" measurement:
//
//	go run ./pkg/doc/internal/combinebench -n 10000000 -limit-mib 64
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/node"
	"github.com/flowctl/flowctl/pkg/schema"
)

// benchSchema reduces like a typical rollup: merge at the root, sums, a maximum, an append.
const benchSchema = `{"type":"object","reduce":{"strategy":"merge"},"required":["id","ts","kind"],
 "properties":{
  "id":{"type":"string"},"ts":{"type":"string","format":"date-time"},
  "kind":{"enum":["view","click","buy"]},
  "count":{"type":"integer","reduce":{"strategy":"sum"}},
  "amount":{"type":"number","reduce":{"strategy":"sum"}},
  "maxPrice":{"type":"number","reduce":{"strategy":"maximize"}},
  "firstSeen":{"type":"string","reduce":{"strategy":"firstWriteWins"}},
  "device":{"type":"object","properties":{"os":{"type":"string"},"model":{"type":"string"}}},
  "note":{"type":["string","null"]}
 }}`

func main() {
	n := flag.Int("n", 1_000_000, "documents to combine")
	keysFlag := flag.Int("keys", 0, "distinct keys (default n/10)")
	limitMiB := flag.Int64("limit-mib", 64, "combiner memory bound in MiB")
	spillDir := flag.String("spill-dir", "", "directory of spill files (default the system temp dir)")
	flag.Parse()
	keys := *keysFlag
	if keys <= 0 {
		keys = max(*n/10, 1)
	}
	if err := run(*n, keys, *limitMiB<<20, *spillDir); err != nil {
		fmt.Fprintln(os.Stderr, "combinebench:", err)
		os.Exit(1)
	}
}

func run(n, keys int, limit int64, spillDir string) error {
	ix := schema.NewIndex()
	raw, err := doc.Decode([]byte(benchSchema))
	if err != nil {
		return err
	}
	if err := ix.Add("bench://schema.json", raw); err != nil {
		return err
	}
	sch, err := ix.Compile("bench://schema.json")
	if err != nil {
		return err
	}
	c, err := doc.NewCombiner(doc.CombinerSpec{
		Key:         []doc.Extractor{{Ptr: doc.MustParsePointer("/id")}},
		Schema:      sch,
		MemoryLimit: limit,
		SpillDir:    spillDir,
	})
	if err != nil {
		return err
	}

	start := time.Now()
	var inBytes int64
	var buf []byte
	for i := range n {
		buf = appendDocument(buf[:0], i, keys)
		inBytes += int64(len(buf))
		if err := c.AddJSON(buf); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
	added := time.Since(start)

	var drained, counted int64
	var last []byte
	err = c.Drain(true, func(out doc.Drained) error {
		if drained > 0 && bytes.Compare(last, out.Key) >= 0 {
			return fmt.Errorf("drained key %x after %x: not in increasing order", out.Key, last)
		}
		last = append(last[:0], out.Key...)
		count, err := checkCount(out.Arena, out.Node, n, keys)
		if err != nil {
			return err
		}
		drained, counted = drained+1, counted+count
		return nil
	})
	if err != nil {
		return err
	}
	total := time.Since(start)
	if drained != int64(keys) || counted != int64(n) {
		return fmt.Errorf("drained %d documents summing %d counts, want %d (one per key) summing %d", drained, counted, keys, n)
	}

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("docs=%d keys=%d bound=%dMiB input=%.0fMB avgdoc=%dB\n",
		n, keys, limit>>20, float64(inBytes)/1e6, inBytes/int64(n))
	fmt.Printf("add=%.1fs drain=%.1fs total=%.1fs  %.0f docs/s  %.1f MB/s\n",
		added.Seconds(), (total - added).Seconds(), total.Seconds(),
		float64(n)/total.Seconds(), float64(inBytes)/1e6/total.Seconds())
	// Linux reports ru_maxrss in KiB.
	fmt.Printf("peak RSS=%dMiB (%.2fx the bound)  GC cycles=%d  heap sys=%dMiB\n",
		ru.Maxrss>>10, float64(ru.Maxrss<<10)/float64(limit), ms.NumGC, ms.HeapSys>>20)
	return nil
}

// appendDocument writes document i. Keys arrive scattered (i times a prime, modulo keys), so
// every spilled run holds keys from the whole key space.
func appendDocument(buf []byte, i, keys int) []byte {
	key := (uint64(i) * 2_654_435_761) % uint64(keys)
	return fmt.Appendf(buf, `{"id":"user-%010d","ts":"2026-11-21T10:%02d:%02dZ","kind":"click","count":1,`+
		`"amount":%d.%02d,"maxPrice":%d.5,"firstSeen":"2026-11-21T10:00:00Z",`+
		`"device":{"os":"linux","model":"model-%04d","vendor":"example devices incorporated"},`+
		`"note":"a note that pads the document to a realistic size of about five hundred bytes: `+
		`lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt `+
		`ut labore et dolore magna aliqua, ut enim ad minim veniam, quis nostrud exercitation ullamco %d"}`,
		key, i%60, (i/60)%60, i%1000, i%100, i%500, i%10000, i)
}

// checkCount verifies the sum reduction: key k received one document for each i with
// i*prime ≡ k (mod keys); with the prime coprime to keys that is n/keys or n/keys+1.
func checkCount(a *node.Arena, d node.Node, n, keys int) (int64, error) {
	c, ok := a.Get(d, "count")
	if !ok || c.Kind() != node.PosInt {
		return 0, errors.New("drained document has no count")
	}
	got := int64(c.Uint())
	if lo := int64(n / keys); got != lo && got != lo+1 {
		id, _ := a.Get(d, "id")
		return 0, fmt.Errorf("document %s summed count %d, want %d or %d", a.AppendJSON(nil, id), got, lo, lo+1)
	}
	return got, nil
}
