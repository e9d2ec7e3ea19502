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
	"strings"
)

// record is one document read from a file: its JSON object text, the byte offset where it starts
// (stable across resumed reads, so it can key documents) and the offset just past it (where a
// resumed read starts).
type record struct {
	raw        []byte
	start, end int64
}

// readFile calls emit for each record of path that ends after byte offset from.
func readFile(path string, format Format, from int64, emit func(record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readOpened(f, path, format, from, emit)
}

// readOpened is readFile of a file already open (and not read from: its position is the start),
// so that the file read is the one whose identity was checked even if path is replaced meanwhile.
func readOpened(f *os.File, path string, format Format, from int64, emit func(record) error) error {
	switch format {
	case FormatJSON:
		return readJSONArray(f, path, from, emit)
	case FormatCSV:
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
		atEOF := errors.Is(err, io.EOF)
		if err != nil && !atEOF {
			return err
		}
		if len(text) == 0 {
			return nil
		}
		start := pos
		pos += int64(len(text))
		line := bytes.TrimSpace(text)
		if len(line) == 0 {
			continue
		}
		if problem := checkObject(line); problem != nil {
			if atEOF {
				// A last line without its newline may still be being written: it is read next time.
				return nil
			}
			return fmt.Errorf("%s:%d: %w (each line must hold one JSON object)", path, lineAt(path, start), problem)
		}
		if err := emit(record{raw: line, start: start, end: pos}); err != nil {
			return err
		}
	}
}

// readJSONArray reads a file holding one array of objects. Positions inside an array cannot be
// seeked to, so a resumed read decodes the array again and skips elements that end before from.
func readJSONArray(f *os.File, path string, from int64, emit func(record) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("%s: a json-format file must hold one JSON array of objects (use format ndjson for one object per line)", path)
	}
	for n := 1; dec.More(); n++ {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s:%d: array element %d is not valid JSON: %w", path, lineAt(path, start), n, err)
		}
		end := dec.InputOffset()
		if end <= from {
			continue
		}
		if problem := checkObject(raw); problem != nil {
			return fmt.Errorf("%s:%d: array element %d: %w", path, lineAt(path, start), n, problem)
		}
		if err := emit(record{raw: raw, start: start, end: end}); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: the JSON array is not closed: %w", path, err)
	}
	return nil
}

// readCSV reads a CSV file whose first row names the fields; every value is a string. Only rows
// up to the file's last newline are read: a row after it may still be being written, and a cut
// field looks like a whole one, so it waits for its newline (a file should end with one).
func readCSV(f *os.File, path string, from int64, emit func(record) error) error {
	complete, err := completeLinesEnd(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if from >= complete {
		return nil
	}
	r := csv.NewReader(io.NewSectionReader(f, 0, complete))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: reading the header row: %w", path, err)
	}
	// Spreadsheet exports often start with a byte-order mark, which is no part of the first name.
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	if from < r.InputOffset() {
		from = r.InputOffset()
	}
	r = csv.NewReader(bufio.NewReaderSize(io.NewSectionReader(f, from, complete-from), 1<<16))
	r.FieldsPerRecord = len(header)
	doc := make(map[string]string, len(header))
	for {
		start := from + r.InputOffset()
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			var parseErr *csv.ParseError
			if errors.As(err, &parseErr) {
				err = parseErr.Err
			}
			return fmt.Errorf("%s:%d: %w (every row needs the header's %d fields)", path, lineAt(path, start), err, len(header))
		}
		for i, name := range header {
			doc[name] = row[i]
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if err := emit(record{raw: raw, start: start, end: from + r.InputOffset()}); err != nil {
			return err
		}
	}
}

// completeLinesEnd is the offset just past the last newline of f (0 if it has none).
func completeLinesEnd(f *os.File) (int64, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := info.Size(); end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// checkObject reports why text is not exactly one JSON object, or nil. Validity is checked first
// because it is much cheaper than decoding, and the decoder then only explains failures.
func checkObject(text []byte) error {
	if json.Valid(text) {
		if text[0] != '{' {
			return errors.New("not a JSON object")
		}
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	return errors.New("more than one JSON value on one line")
}

// lineAt returns the 1-based line number of byte offset in path. It only runs to explain an error,
// so it rereads the file instead of counting lines on the hot path.
func lineAt(path string, offset int64) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line := 1
	r := bufio.NewReader(io.LimitReader(f, offset))
	for {
		chunk, err := r.ReadSlice('\n')
		line += bytes.Count(chunk, []byte("\n"))
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return line
		}
	}
}
