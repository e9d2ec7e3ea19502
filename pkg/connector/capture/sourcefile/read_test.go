package sourcefile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readAll(t *testing.T, path, format string, from int64) ([]string, int64, error) {
	t.Helper()
	var out []string
	end := from
	err := readFile(path, format, from, func(r record) error {
		out = append(out, fmt.Sprintf("%d:%v", r.start, r.doc["id"]))
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
		name, format, content string
		want                  string
	}{
		{"ndjson", "ndjson", "{\"id\":1}\n\n{\"id\":2}\n{\"id\":3", "0:1 10:2"}, // unterminated last line waits
		{"json array", "json", `[{"id":1}, {"id":2}]`, "1:1 9:2"},
		{"csv", "csv", "id,name\n1,a\n2,\"b,c\"\n", "8:1 12:2"},
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
	path := write(t, "f.csv", "id\n1\n2\n3\n")
	var firstEnd int64
	_ = readFile(path, "csv", 0, func(r record) error {
		if firstEnd == 0 {
			firstEnd = r.end
		}
		return nil
	})
	got, _, err := readAll(t, path, "csv", firstEnd)
	if err != nil || strings.Join(got, " ") != "5:2 7:3" {
		t.Fatalf("resumed read = %v (%v)", got, err)
	}
}

func TestReadErrors(t *testing.T) {
	cases := []struct{ format, content, want string }{
		{"ndjson", "{\"id\":1}\nnot json\n", "the line ending at byte 18: not valid JSON"},
		{"ndjson", "[1]\n", "not valid JSON"},
		{"ndjson", "{} {}\n", "more than one JSON value"},
		{"json", `{"id":1}`, "must hold one JSON array"},
		{"json", `[{"id":1}, 2]`, "element 2 is not a JSON object"},
		{"json", `[{"id":1}`, "not closed"},
		{"csv", "a,b\n1\n", "every row needs the header's 2 fields"},
	}
	for _, tc := range cases {
		_, _, err := readAll(t, write(t, "f", tc.content), tc.format, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: error %v, want %q", tc.format, tc.content, err, tc.want)
		}
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
		_ = readFile(path, "ndjson", from, func(r record) error {
			if r.start < last || r.end <= r.start || r.end > int64(len(content)) {
				t.Fatalf("record [%d,%d) out of order after %d in %d bytes", r.start, r.end, last, len(content))
			}
			last = r.end
			return nil
		})
	})
}
