package sourcefile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readAll(t *testing.T, path string, format Format, from int64) ([]string, int64, error) {
	t.Helper()
	var out []string
	end := from
	err := readFile(path, format, from, func(r record) error {
		var doc map[string]any
		if err := json.Unmarshal(r.raw, &doc); err != nil {
			t.Fatalf("record %s is not an object: %v", r.raw, err)
		}
		out = append(out, fmt.Sprintf("%d:%v", r.start, doc["id"]))
		end = r.end
		return nil
	})
	return out, end, err
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFormatsAndResume(t *testing.T) {
	cases := []struct {
		name    string
		format  Format
		content string
		want    string
	}{
		{"ndjson", FormatNDJSON, "{\"id\":1}\n\n{\"id\":2}\n", "0:1 10:2"},
		{"ndjson last line without newline", FormatNDJSON, "{\"id\":1}\n{\"id\":2}", "0:1 9:2"},
		{"ndjson unfinished last line waits", FormatNDJSON, "{\"id\":1}\n{\"id\":", "0:1"},
		{"ndjson crlf and spaces", FormatNDJSON, " {\"id\":1} \r\n{\"id\":2}\r\n", "0:1 12:2"},
		{"json array", FormatJSON, `[{"id":1}, {"id":2}]`, "1:1 9:2"},
		{"empty json array", FormatJSON, ` [ ] `, ""},
		{"csv", FormatCSV, "id,name\n1,a\n2,\"b,c\"\n", "8:1 12:2"},
		{"csv header only", FormatCSV, "id,name\n", ""},
		{"csv unfinished last row waits", FormatCSV, "id,name\n1,a\n2,b", "8:1"},
		{"csv unfinished header waits", FormatCSV, "id,na", ""},
		{"csv with byte-order mark", FormatCSV, "\ufeffid\n7\n", "6:7"},
		{"empty csv", FormatCSV, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, "f", tc.content)
			got, end, err := readAll(t, path, tc.format, 0)
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Fatalf("read = %v (%v), want %s", got, err, tc.want)
			}
			// Resuming at the end offset yields nothing new and no duplicates.
			again, _, err := readAll(t, path, tc.format, end)
			if err != nil || len(again) != 0 {
				t.Fatalf("resume at %d read %v (%v)", end, again, err)
			}
		})
	}
}

func TestResumeMidFileReadsOnlyTheRest(t *testing.T) {
	for _, tc := range []struct {
		format  Format
		content string
		want    string
	}{
		{FormatCSV, "id\n1\n2\n3\n", "5:2 7:3"},
		{FormatNDJSON, "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n", "9:2 18:3"},
		{FormatJSON, `[{"id":1},{"id":2},{"id":3}]`, "9:2 18:3"},
	} {
		path := write(t, "f", tc.content)
		var firstEnd int64
		_ = readFile(path, tc.format, 0, func(r record) error {
			if firstEnd == 0 {
				firstEnd = r.end
			}
			return nil
		})
		got, _, err := readAll(t, path, tc.format, firstEnd)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s resumed at %d: %v (%v), want %s", tc.format, firstEnd, got, err, tc.want)
		}
	}
}

func TestAppendedLinesAreReadOnResume(t *testing.T) {
	path := write(t, "f.ndjson", "{\"id\":1}\n{\"id\":")
	_, end, err := readAll(t, path, FormatNDJSON, 0)
	if err != nil || end != 9 {
		t.Fatalf("first read ended at %d (%v)", end, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("2}\n{\"id\":3}\n")
	f.Close()
	got, _, err := readAll(t, path, FormatNDJSON, end)
	if err != nil || strings.Join(got, " ") != "9:2 18:3" {
		t.Fatalf("after the writer finished: %v (%v)", got, err)
	}
}

// A CSV row cannot tell that its last field is cut short, so one without its newline may still be
// being written: a read must neither emit it truncated nor checkpoint past it.
func TestAppendedCSVRowIsReadWhole(t *testing.T) {
	path := write(t, "f.csv", "id\n1\n2")
	_, end, err := readAll(t, path, FormatCSV, 0)
	if err != nil || end != 5 {
		t.Fatalf("first read ended at %d (%v), want 5 (after row 1)", end, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("3\n4\n")
	f.Close()
	got, _, err := readAll(t, path, FormatCSV, end)
	if err != nil || strings.Join(got, " ") != "5:23 8:4" {
		t.Fatalf("after the writer finished: %v (%v), want 5:23 8:4", got, err)
	}
}

func TestReadErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		format        Format
		content, want string
	}{
		{FormatNDJSON, "{\"id\":1}\nnot json\n", "f:2: not valid JSON"},
		{FormatNDJSON, "{\"id\":1}\n\n\n[1]\n", "f:4: not a JSON object (each line must hold one JSON object)"},
		{FormatNDJSON, "{} {}\n", "f:1: more than one JSON value on one line"},
		{FormatNDJSON, "\"text\"\n", "f:1: not a JSON object"},
		{FormatJSON, `{"id":1}`, "must hold one JSON array of objects"},
		{FormatJSON, "[{\"id\":1},\n 2]", "f:1: array element 2: not a JSON object"},
		{FormatJSON, "[{\"id\":1},\n {\"id\":}]", "f:1: array element 2 is not valid JSON"},
		{FormatJSON, `[{"id":1}`, "the JSON array is not closed"},
		{FormatCSV, "a,b\n1,2\n1\n", "f:3: wrong number of fields (every row needs the header's 2 fields)"},
		{FormatCSV, "a\n\"x\n", "f:2: extraneous or missing \" in quoted-field"},
		{FormatCSV, "\"a\n", "reading the header row"},
	}
	for _, tc := range cases {
		_, _, err := readAll(t, write(t, "f", tc.content), tc.format, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want %q", tc.format, tc.content, err, tc.want)
		}
	}
}

func TestErrorAfterResumeCountsLinesFromTheStart(t *testing.T) {
	path := write(t, "f", "{\"id\":1}\n{\"id\":2}\nbad\n")
	_, _, err := readAll(t, path, FormatNDJSON, 9)
	if err == nil || !strings.Contains(err.Error(), "f:3: not valid JSON") {
		t.Fatalf("error %v, want line 3", err)
	}
}

func TestMissingFile(t *testing.T) {
	err := readFile(filepath.Join(t.TempDir(), "nope.ndjson"), FormatNDJSON, 0, func(record) error { return nil })
	if !os.IsNotExist(err) {
		t.Fatalf("error %v, want not-exist", err)
	}
}

func FuzzReadNDJSON(f *testing.F) {
	f.Add([]byte("{\"id\":1}\n{\"id\":2}\n"), int64(0))
	f.Add([]byte("{\"a\":[1,2]}\nnope\n"), int64(3))
	f.Fuzz(func(t *testing.T, content []byte, from int64) {
		if from < 0 || from > int64(len(content)) {
			return
		}
		path := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		last := from
		_ = readFile(path, FormatNDJSON, from, func(r record) error {
			if r.start < last || r.end <= r.start || r.end > int64(len(content)) {
				t.Fatalf("record [%d,%d) out of order after %d in %d bytes", r.start, r.end, last, len(content))
			}
			if !json.Valid(r.raw) || r.raw[0] != '{' {
				t.Fatalf("record %q is not one JSON object", r.raw)
			}
			last = r.end
			return nil
		})
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("id,name\n1,a\n2,\"b,c\"\n"), int64(0))
	f.Add([]byte("a\n\"x\n"), int64(2))
	f.Fuzz(func(t *testing.T, content []byte, from int64) {
		if from < 0 || from > int64(len(content)) {
			return
		}
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		last := from
		_ = readFile(path, FormatCSV, from, func(r record) error {
			if r.start < last || r.end <= r.start || r.end > int64(len(content)) {
				t.Fatalf("record [%d,%d) out of order after %d in %d bytes", r.start, r.end, last, len(content))
			}
			if !json.Valid(r.raw) {
				t.Fatalf("record %q is not JSON", r.raw)
			}
			last = r.end
			return nil
		})
	})
}

func FuzzReadJSONArray(f *testing.F) {
	f.Add([]byte(`[{"id":1}, {"id":2}]`), int64(0))
	f.Add([]byte(`[{"id":1}, 2`), int64(9))
	f.Fuzz(func(t *testing.T, content []byte, from int64) {
		if from < 0 || from > int64(len(content)) {
			return
		}
		path := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		last := from
		_ = readFile(path, FormatJSON, from, func(r record) error {
			if r.end <= last || r.end <= r.start || r.end > int64(len(content)) {
				t.Fatalf("record [%d,%d) after %d in %d bytes", r.start, r.end, last, len(content))
			}
			if !json.Valid(r.raw) || r.raw[0] != '{' {
				t.Fatalf("record %q is not one JSON object", r.raw)
			}
			last = r.end
			return nil
		})
	})
}
