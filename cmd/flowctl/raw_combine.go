package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/doc"
)

func init() { register("raw", newRawCombineCmd) }

type rawCombineOptions struct {
	source      string
	collection  string
	memoryLimit int64
}

func newRawCombineCmd(f *Factory) *cobra.Command {
	opts := &rawCombineOptions{}
	cmd := &cobra.Command{
		Use:   "combine --source FILE --collection NAME",
		Short: "Fully reduce JSON documents from stdin by a collection's key and schema",
		Long: `Combine reads JSON documents, one per line, from stdin, validates each against the
collection's schema (its read schema when it has one, else its write schema), fully reduces the
documents of each key with the schema's reduce annotations, and writes the results to stdout as
JSON lines in key order.

An invalid document stops it with exit status 1, naming the input line, the document location
and the schema rule it broke.`,
		Example: "  flowctl raw combine --source flow.yaml --collection acmeCo/orders < orders.jsonl",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRawCombine(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVar(&opts.collection, "collection", "", "name of the collection whose key and schema to use (required)")
	cmd.Flags().Int64Var(&opts.memoryLimit, "memory-limit", doc.DefaultMemoryLimit, "bytes of documents held in memory before sorted runs spill to temporary files")
	_ = cmd.MarkFlagRequired("source")
	_ = cmd.MarkFlagRequired("collection")
	return cmd
}

func runRawCombine(cmd *cobra.Command, f *Factory, opts *rawCombineOptions) error {
	built, err := buildForRun(cmd, f, opts.source)
	if err != nil {
		return err
	}
	collection := built.Collection(opts.collection)
	if collection == nil {
		return cliutil.Usagef("collection %q is not defined in %s", opts.collection, opts.source)
	}
	key, err := doc.KeyExtractors(collection.ReadSchema.Shape(), collection.Key)
	if err != nil {
		return err
	}
	combiner, err := doc.NewCombiner(doc.CombinerSpec{Key: key, Schema: collection.ReadSchema, MemoryLimit: opts.memoryLimit})
	if err != nil {
		return err
	}
	if err := combineLines(f.IO.In, combiner); err != nil {
		return err
	}
	out := bufio.NewWriter(f.IO.Out)
	var buf []byte
	err = combiner.Drain(true, func(d doc.Drained) error {
		if d.Deleted {
			return nil // A full reduction deleted this document: there is nothing to write.
		}
		buf = append(d.AppendJSON(buf[:0]), '\n')
		_, err := out.Write(buf)
		return err
	})
	if err != nil {
		return cliutil.Failure(fmt.Errorf("combining documents: %w", err))
	}
	return out.Flush()
}

// maxCombineLine bounds one input line, so a stream without newlines cannot exhaust memory.
const maxCombineLine = 64 << 20

// combineLines adds each non-blank line of in to the combiner, naming the line of a bad document.
func combineLines(in io.Reader, combiner *doc.Combiner) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 64<<10), maxCombineLine)
	line := 0
	for scanner.Scan() {
		line++
		raw := scanner.Bytes()
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		if err := combiner.AddJSON(raw); err != nil {
			if notJSON := (*doc.NotJSONError)(nil); errors.As(err, &notJSON) {
				return cliutil.Failure(fmt.Errorf("stdin line %d is not a JSON document: %w", line, err))
			}
			return cliutil.Failure(fmt.Errorf("stdin line %d: %w", line, err))
		}
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return cliutil.Failure(fmt.Errorf("stdin line %d is longer than %d MiB: write one document per line, each under that size", line+1, maxCombineLine>>20))
		}
		return fmt.Errorf("reading stdin: %w", err)
	}
	return nil
}
