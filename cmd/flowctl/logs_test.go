package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spf13/viper"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// opsWriter writes log documents of task acme/cap into a data directory, as develop does.
type opsWriter struct {
	local *journal.Local
	pub   *journal.Publisher
}

func newOpsWriter(t *testing.T, dir string) *opsWriter {
	t.Helper()
	local, err := journal.OpenLocal(journal.LocalOptions{DataDir: dir, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	for _, spec := range runtime.OpsCollectionSpecs() {
		if err := local.AddCollection(spec); err != nil {
			t.Fatal(err)
		}
	}
	id, err := journal.NewProducerID()
	if err != nil {
		t.Fatal(err)
	}
	return &opsWriter{local: local, pub: journal.NewPublisher(local, id, 0, nil)}
}

func (w *opsWriter) log(t *testing.T, ts time.Time, message string) {
	t.Helper()
	name, err := runtime.OpsJournal(runtime.OpsLogsCollection, "capture", "acme/cap")
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"shard": map[string]any{"kind": "capture", "name": "acme/cap", "keyBegin": "00000000", "rClockBegin": "00000000"},
		"ts": ts.UTC().Format(time.RFC3339Nano), "level": "info", "message": message}
	if err := w.pub.Publish(context.Background(), []journal.Document{{Journal: name, Doc: doc}}); err != nil {
		t.Fatal(err)
	}
}

func runLogs(t *testing.T, ctx context.Context, out *syncBuffer, args ...string) error {
	root := newRootCmd(&Factory{IO: cliutil.Test(strings.NewReader(""), out, &syncBuffer{}), Config: viper.New()})
	root.SetArgs(append([]string{"logs", "--task", "acme/cap"}, args...))
	return root.ExecuteContext(ctx)
}

func TestLogsFollowPicksUpNewRecords(t *testing.T) {
	dir := t.TempDir()
	w := newOpsWriter(t, dir)
	w.log(t, time.Now(), "first")
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runLogs(t, ctx, out, "--data-dir", dir, "--follow") }()
	waitFor := func(message string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), `"message":"`+message+`"`); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("followed %q; still waiting for %s", out.String(), message)
			}
		}
	}
	waitFor("first")
	w.log(t, time.Now(), "second")
	waitFor("second")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("follow ended with %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("printed %d lines, want 2: %q", n, out.String())
	}
}

func TestLogsSince(t *testing.T) {
	dir := t.TempDir()
	w := newOpsWriter(t, dir)
	w.log(t, time.Now().Add(-2*time.Hour), "old")
	w.log(t, time.Now().Add(-time.Minute), "recent")
	for _, tc := range []struct {
		since string
		want  []string
	}{{"0s", []string{"old", "recent"}}, {"1h", []string{"recent"}}, {"10s", nil}} {
		out := &syncBuffer{}
		if err := runLogs(t, context.Background(), out, "--data-dir", dir, "--since", tc.since, "-o", "text"); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if line != "" {
				got = append(got, line[strings.LastIndex(line, " ")+1:])
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("--since %s printed %q, want %q", tc.since, got, tc.want)
		}
	}
}

func TestFormatLogLine(t *testing.T) {
	ts := "2024-05-06T07:08:09.123Z"
	local := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC).Local().Format("2006-01-02 15:04:05.000")
	for _, tc := range []struct{ doc, want string }{
		{`{"ts":"` + ts + `","level":"info","message":"capture finished"}`, local + " INFO  capture finished"},
		{`{"ts":"` + ts + `","level":"error","message":"task failed","fields":{"error":"bad doc","n":3,"obj":{"a":1},"s":"two words"}}`,
			local + ` ERROR task failed error="bad doc" n=3 obj={"a":1} s="two words"`},
		{`{"ts":"` + ts + `","level":"warn","message":"line one\nline two"}`, local + ` WARN  "line one\nline two"`},
		{`{"ts":"yesterday","level":"debug","message":"m"}`, `yesterday DEBUG m`},
		{`{"level":"info","message":"no ts"}`, `{"level":"info","message":"no ts"}`},
		{`not json` + "\n" + `at all`, `"not json\nat all"`},
	} {
		if got := string(formatLogLine([]byte(tc.doc), false)); got != tc.want {
			t.Errorf("formatLogLine(%s)\n got %q\nwant %q", tc.doc, got, tc.want)
		}
	}
}

func TestParseStatsRow(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want statsRow
		err  string
	}{
		{`{"ts":"t","txnCount":2,"capture":{"a":{"right":{"docsTotal":5,"bytesTotal":50},"out":{"docsTotal":4,"bytesTotal":40}},"b":{"right":{"docsTotal":1,"bytesTotal":10}}}}`,
			statsRow{ts: "t", txns: 2, docsIn: 6, bytesIn: 60, docsOut: 4, bytesOut: 40}, ""},
		{`{"ts":"t","txnCount":1,"derive":{"transforms":{"x":{"input":{"docsTotal":3,"bytesTotal":30}},"y":{"input":{"docsTotal":1,"bytesTotal":1}}},"out":{"docsTotal":2,"bytesTotal":20}}}`,
			statsRow{ts: "t", txns: 1, docsIn: 4, bytesIn: 31, docsOut: 2, bytesOut: 20}, ""},
		{`{"ts":"t","txnCount":1,"materialize":{"*":{"right":{"docsTotal":3,"bytesTotal":30},"out":{"docsTotal":3,"bytesTotal":33}}}}`,
			statsRow{ts: "t", txns: 1, docsIn: 3, bytesIn: 30, docsOut: 3, bytesOut: 33}, ""},
		{`{"txnCount":1}`, statsRow{}, "has no ts"},
		{`{"ts":"t","txnCount":"many"}`, statsRow{}, "cannot unmarshal"},
		{`[]`, statsRow{}, "stats document []"},
	} {
		got, err := parseStatsRow([]byte(tc.doc))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseStatsRow(%s) = %v, want an error with %q", tc.doc, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseStatsRow(%s) = %+v, %v; want %+v", tc.doc, got, err, tc.want)
		}
	}
}

// FuzzFormatLogLine checks that any document prints as exactly one line of valid UTF-8 where the
// input was.
func FuzzFormatLogLine(f *testing.F) {
	f.Add([]byte(`{"ts":"2024-05-06T07:08:09Z","level":"info","message":"m","fields":{"k":"v"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		line := formatLogLine(raw, true)
		if strings.ContainsAny(string(line), "\n\r") {
			t.Errorf("%q printed as several lines: %q", raw, line)
		}
		if utf8.Valid(raw) && !utf8.Valid(line) {
			t.Errorf("%q printed as invalid UTF-8: %q", raw, line)
		}
	})
}

// FuzzParseStatsRow checks that any document either parses into the sums its bindings say, or
// fails with an error naming the document.
func FuzzParseStatsRow(f *testing.F) {
	f.Add([]byte(`{"ts":"t","txnCount":1,"capture":{"a":{"right":{"docsTotal":1,"bytesTotal":2},"out":{"docsTotal":1,"bytesTotal":2}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		row, err := parseStatsRow(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "stats document ") {
				t.Errorf("error %q does not name the document", err)
			}
			return
		}
		var d statsDoc
		if json.Unmarshal(raw, &d) != nil || row.ts != d.TS || row.txns != d.TxnCount {
			t.Errorf("%q parsed as %+v", raw, row)
		}
	})
}
