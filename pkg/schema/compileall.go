package schema

import (
	"runtime"
	"sync"
)

// minPerWorker is the fewest schemas worth a compiler of their own: a new compiler first compiles
// the meta-schemas, which costs about as much as a few small schemas.
const minPerWorker = 32

// CompileAll compiles the schemas at urls, and infers their shapes, using every available core;
// afterwards Compile returns each of them (or its error) from the cache. Compiling a large catalog's
// schemas one by one is most of the time `flowctl check` takes. Each worker has its own compiler
// (santhosh-tekuri/jsonschema compilers are not safe for concurrent use), so a resource that
// several workers reference is compiled once per worker.
func (ix *Index) CompileAll(urls []string) {
	var todo []string
	seen := map[string]bool{}
	for _, u := range urls {
		if _, ok := ix.compiled[u]; ok || seen[u] || ix.failed[u] != nil {
			continue
		}
		seen[u] = true
		todo = append(todo, u)
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/minPerWorker)
	if workers <= 1 {
		for _, u := range todo {
			if s, err := ix.Compile(u); err == nil {
				s.Shape()
			} else {
				ix.failed[u] = err
			}
		}
		return
	}
	schemas := make([]*Schema, len(todo))
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		// Contiguous chunks keep schemas that share resources (often neighbours) on one compiler.
		lo, hi := w*len(todo)/workers, (w+1)*len(todo)/workers
		c := ix.compiler
		if w > 0 {
			c = ix.replicaCompiler()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if schemas[i], errs[i] = compileWith(c, todo[i]); errs[i] == nil {
					schemas[i].Shape()
				}
			}
		}()
	}
	wg.Wait()
	for i, u := range todo {
		if errs[i] != nil {
			ix.failed[u] = errs[i]
		} else {
			ix.compiled[u] = schemas[i]
		}
	}
}
