package sourcefile

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

const benchLines = 100_000

// benchFile writes benchLines NDJSON records shaped like typical events (~120 bytes each).
func benchFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "events.ndjson")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range benchLines {
		fmt.Fprintf(w, `{"id":%d,"user_id":"user-%d","kind":"click","amount":%d.25,"tags":["a","b"],"at":"2024-05-01T12:00:%02dZ"}`+"\n", i, i%977, i%100, i%60)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// BenchmarkNDJSON compares source-file, through the in-process connector protocol as the runtime
// drives it, with a plain bufio scan + json decode of the same file in the same run.
func BenchmarkNDJSON(b *testing.B) {
	path := benchFile(b)
	b.Run("source-file", func(b *testing.B) {
		for b.Loop() {
			s, _ := capturetest.Open(b, Image, captureSpec(path, `{"stream":"events"}`), nil)
			docs := 0
			for {
				resp, err := s.Next(b)
				if errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				if resp.Captured != nil {
					docs++
				}
			}
			if docs != benchLines {
				b.Fatalf("captured %d documents, want %d", docs, benchLines)
			}
		}
		b.ReportMetric(float64(benchLines*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
	b.Run("bufio+json", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			scan := bufio.NewScanner(f)
			docs := 0
			for scan.Scan() {
				var doc map[string]any
				if err := json.Unmarshal(scan.Bytes(), &doc); err != nil {
					b.Fatal(err)
				}
				docs++
			}
			f.Close()
			if docs != benchLines {
				b.Fatalf("decoded %d documents, want %d", docs, benchLines)
			}
		}
		b.ReportMetric(float64(benchLines*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
}
