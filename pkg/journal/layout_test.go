package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// hiveRow is one document as a Hive-partitioned JSON reader (DuckDB's read_json with
// hive_partitioning, or zcat | jq) sees it: the k=v folders of its path as columns, and the document.
type hiveRow struct {
	columns map[string]string
	doc     map[string]any
}

// readLikeDuckDB walks a data directory as `read_json('data/**/*.{gz,raw}', hive_partitioning=true)`
// does: hidden folders are not matched by the glob, every k=v folder becomes a column, and every line
// of the (gunzipped) file must be a JSON object.
func readLikeDuckDB(t *testing.T, root string) []hiveRow {
	t.Helper()
	var rows []hiveRow
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".raw")) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		columns := map[string]string{}
		for _, seg := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
			if k, v, ok := strings.Cut(seg, "="); ok {
				columns[k] = v
			}
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			zr, err := gzip.NewReader(f) // As zcat, across concatenated members.
			if err != nil {
				t.Fatalf("%s is not gzip: %v", rel, err)
			}
			r = zr
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<26)
		for sc.Scan() {
			var doc map[string]any
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("%s: line %q is not a JSON object: %v", rel, sc.Text(), err)
			}
			rows = append(rows, hiveRow{columns: columns, doc: doc})
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestLayoutIsAHiveDataLake(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)}
	l := openTestLocal(t, dir, clock, FragmentTemplate{Length: 200})
	pub := NewPublisher(l, ProducerID{3, 1, 4, 1, 5, 9}, 0, clock.now)
	regions := []string{"EU", "North Pole", "a/b"}
	var docs []Document
	for i := 0; i < 30; i++ {
		region := regions[i%len(regions)]
		name, err := l.JournalFor("acme/events", []PartitionValue{{Field: "region", Value: region}})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Document{Journal: name, Doc: map[string]any{"i": i, "region": region}})
	}
	if err := pub.Publish(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	rows := readLikeDuckDB(t, dir)
	data, acks := 0, 0
	for _, row := range rows {
		meta, _ := row.doc["_meta"].(map[string]any)
		if _, err := ParseUUID(meta["uuid"].(string)); err != nil {
			t.Fatal(err)
		}
		if row.columns["utc_date"] != "2025-06-07" || row.columns["utc_hour"] != "08" || row.columns["pivot"] != "00" {
			t.Fatalf("columns %v", row.columns)
		}
		region, err := DecodePartitionValue(row.columns["region"])
		if err != nil {
			t.Fatal(err)
		}
		if meta["ack"] == true {
			acks++
			continue
		}
		data++
		if row.doc["region"] != region {
			t.Fatalf("document %v sits under region=%s", row.doc, row.columns["region"])
		}
	}
	if data != 30 || acks != 3 {
		t.Fatalf("read %d documents and %d ACKs, want 30 and 3", data, acks)
	}
}
