// Package sourcefile reads NDJSON, JSON-array and CSV files incrementally by byte offset, for the
// ghcr.io/flowctl/source-file capture.
package sourcefile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// record is one document read from a file, with the byte offsets where it starts (stable across
// resumed reads, so it can key documents) and just past it (where a resumed read starts).
type record struct {
	doc        map[string]any
	start, end int64
}

// readFile calls emit for each record of path after byte offset from. JSON array files have no
// resumable positions inside them, so they are read whole (from is then 0 or the file's end).
func readFile(path, format string, from int64, emit func(record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	switch format {
	case "json":
		if from > 0 {
			return nil
		}
		return readJSONArray(f, path, emit)
	case "csv":
		return readCSV(f, path, from, emit)
	default:
		return readNDJSON(f, path, from, emit)
	}
}

func readNDJSON(f *os.File, path string, from int64, emit func(record) error) error {
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(f, 1<<16)
	pos := from
	for {
		text, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) && (len(text) == 0 || !bytes.HasSuffix(text, []byte("\n"))) {
			// A last line without its newline may still be being written: it is read next time.
			return nil
		} else if err != nil {
			return err
		}
		start := pos
		pos += int64(len(text))
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		doc, err := decodeObject(text)
		if err != nil {
			return fmt.Errorf("%s: the line ending at byte %d: %w", path, pos, err)
		}
		if err := emit(record{doc: doc, start: start, end: pos}); err != nil {
			return err
		}
	}
}

func readJSONArray(f *os.File, path string, emit func(record) error) error {
	dec := json.NewDecoder(bufio.NewReader(f))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("%s: a json-format file must hold one JSON array of objects", path)
	}
	for n := 1; dec.More(); n++ {
		start := dec.InputOffset()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil || doc == nil {
			return fmt.Errorf("%s: element %d is not a JSON object (%v)", path, n, err)
		}
		if err := emit(record{doc: doc, start: start, end: dec.InputOffset()}); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: the JSON array is not closed: %w", path, err)
	}
	return nil
}

func readCSV(f *os.File, path string, from int64, emit func(record) error) error {
	r := csv.NewReader(f)
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: reading the header row: %w", path, err)
	}
	if from == 0 {
		from = r.InputOffset()
	}
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return err
	}
	r = csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = len(header)
	for {
		start := from + r.InputOffset()
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: %w (every row needs the header's %d fields)", path, err, len(header))
		}
		doc := make(map[string]any, len(header))
		for i, name := range header {
			doc[name] = row[i]
		}
		if err := emit(record{doc: doc, start: start, end: from + r.InputOffset()}); err != nil {
			return err
		}
	}
}

func decodeObject(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if doc == nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on one line")
	}
	return doc, nil
}
