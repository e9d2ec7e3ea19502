// Package testdocs holds what the document packages' tests and benchmarks share: the benchmark
// corpus of the combiner (issue #3's ~500-byte documents) and encoding/json as the reference
// decoder of differential tests.
package testdocs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
)

// Bench returns n documents of about 500 bytes over up to keys distinct /id values: ten
// properties, nested objects and an array (PCG seed 42, so every run gets the same corpus).
func Bench(n, keys int) [][]byte {
	rng := rand.New(rand.NewPCG(42, 42))
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"id":"user-%08d","ts":"2026-11-21T10:%02d:%02dZ","kind":"click","count":%d,"amount":%d.%02d,`+
			`"maxPrice":%d.5,"firstSeen":"2026-11-21T10:00:00Z","tags":["t%d","t%d"],`+
			`"device":{"os":"linux","model":"model-%04d","screen":{"w":1920,"h":1080}},`+
			`"note":"a note that pads the document to a realistic size of about five hundred bytes, %d"}`,
			rng.IntN(keys), rng.IntN(60), rng.IntN(60), rng.IntN(10), rng.IntN(1000), rng.IntN(100),
			rng.IntN(500), rng.IntN(50), rng.IntN(50), rng.IntN(10000), rng.Uint64())
	}
	return out
}

// DecodeStd is the reference decoder: encoding/json with UseNumber, exactly one value.
func DecodeStd(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the value")
	}
	return v, nil
}
