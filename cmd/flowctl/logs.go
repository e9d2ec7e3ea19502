package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

func init() {
	register("", newLogsCmd)
	register("", newStatsCmd)
}

// outputText is the human-readable format of `flowctl logs`.
const outputText = "text"

type opsReadOptions struct {
	task    string
	dataDir string
	since   time.Duration
	follow  bool
	output  string
}

func (o *opsReadOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.task, "task", "", "name of the capture, derivation or materialization (required)")
	cmd.Flags().StringVar(&o.dataDir, "data-dir", defaultDataDir, "data directory that flowctl develop ran with")
	cmd.Flags().DurationVar(&o.since, "since", 0, "only documents of this duration before now, e.g. 10m")
	_ = cmd.MarkFlagRequired("task")
}

func newLogsCmd(f *Factory) *cobra.Command {
	opts := &opsReadOptions{}
	cmd := &cobra.Command{
		Use:   "logs --task NAME",
		Short: "Print the logs of a task",
		Long: `Logs prints the log documents that a task wrote to the ops/logs collection of the data directory
while ` + "`flowctl develop`" + ` ran it: its own records, its connector's and its failures. On a terminal each
is a line of time, level, message and fields; otherwise (or with -o json) each is a JSON document
as Flow writes them: {"shard": {...}, "ts", "level", "message", "fields"}.`,
		Example: `  flowctl logs --task acmeCo/orders-from-file
  flowctl logs --task acmeCo/orders-from-file --since 10m --follow
  flowctl logs --task acmeCo/orders-from-file -o json | jq .message`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.output == "" {
				opts.output = cliutil.OutputJSON
				if f.IO.IsStdoutTTY() {
					opts.output = outputText
				}
			}
			if err := cliutil.CheckOutput(opts.output, outputText, cliutil.OutputJSON); err != nil {
				return err
			}
			colored := f.IO.ColorStdout()
			return readOps(cmd.Context(), f, opts, runtime.OpsLogsCollection, "logs", func(raw []byte) ([]byte, error) {
				if opts.output == cliutil.OutputJSON {
					return raw, nil
				}
				return formatLogLine(raw, colored), nil
			})
		},
	}
	opts.register(cmd)
	cmd.Flags().BoolVar(&opts.follow, "follow", false, "keep printing new log documents until interrupted")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "", "output format: text or json (default: text on a terminal, json otherwise)")
	return cmd
}

func newStatsCmd(f *Factory) *cobra.Command {
	opts := &opsReadOptions{}
	cmd := &cobra.Command{
		Use:   "stats --task NAME",
		Short: "Print the statistics of a task",
		Long: `Stats prints the statistics documents that a task wrote to the ops/stats collection of the data
directory while ` + "`flowctl develop`" + ` ran it. The table has one row per document (the transactions it
covers, documents and bytes in and out) and a total; -o json prints the documents as Flow writes
them: {"shard": {...}, "ts", "txnCount", "capture"|"derive"|"materialize": {...}}.`,
		Example: `  flowctl stats --task acmeCo/orders-to-sqlite
  flowctl stats --task acmeCo/orders-to-sqlite -o json --since 1h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cliutil.CheckOutput(opts.output, cliutil.OutputTable, cliutil.OutputJSON); err != nil {
				return err
			}
			if opts.output == cliutil.OutputJSON {
				return readOps(cmd.Context(), f, opts, runtime.OpsStatsCollection, "stats", func(raw []byte) ([]byte, error) { return raw, nil })
			}
			return printStatsTable(cmd.Context(), f, opts)
		},
	}
	opts.register(cmd)
	cmd.Flags().StringVarP(&opts.output, "output", "o", cliutil.OutputTable, "output format: table or json")
	return cmd
}

// readOps prints the documents of a task in an ops collection, each as format returns it
// (nil: skip), filtered by --since and followed with --follow.
func readOps(ctx context.Context, f *Factory, opts *opsReadOptions, collection, what string, format func([]byte) ([]byte, error)) error {
	if opts.since < 0 {
		return cliutil.Usagef("--since must be a positive duration, not %s", opts.since)
	}
	client, err := openDataDir(opts.dataDir)
	if err != nil {
		return err
	}
	selector := journal.Selector{Include: map[string][]any{"name": {opts.task}}}
	list := func(ctx context.Context) ([]string, error) {
		return journal.SelectJournals(ctx, client, collection, selector)
	}
	journals, err := list(ctx)
	if err != nil {
		return err
	}
	if len(journals) == 0 && !opts.follow {
		return unknownTask(ctx, client, opts, what)
	}
	var notBefore time.Time
	if opts.since > 0 {
		notBefore = time.Now().Add(-opts.since)
	}
	if len(journals) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "task %s has no %s in %s yet; waiting for its first\n", opts.task, what, opts.dataDir)
	}
	read := journal.ReadJournalsOptions{Follow: opts.follow, List: list, PollInterval: journalPollInterval}
	return printDocs(ctx, f, client, journals, read, func(doc journal.ReadDoc) ([]byte, error) {
		if doc.IsAck() || before(doc.Raw, notBefore) {
			return nil, nil
		}
		return format(doc.Raw)
	})
}

// before reports whether an ops document's ts is before t. A document without a readable ts is
// never filtered out: it is shown rather than lost.
func before(raw []byte, t time.Time) bool {
	if t.IsZero() {
		return false
	}
	var d struct{ TS string }
	if json.Unmarshal(raw, &d) != nil {
		return false
	}
	ts, err := time.Parse(time.RFC3339Nano, d.TS)
	return err == nil && ts.Before(t)
}

// unknownTask is the error for a task with no documents, naming the tasks that have some; a
// task known by its other ops collection simply has none.
func unknownTask(ctx context.Context, client journal.Client, opts *opsReadOptions, what string) error {
	known := map[string]bool{}
	for _, collection := range []string{runtime.OpsLogsCollection, runtime.OpsStatsCollection} {
		infos, err := client.ListJournals(ctx, collection)
		if err != nil {
			return err
		}
		for _, info := range infos {
			parsed, err := journal.ParseJournalName(info.Template, info.Name)
			if err != nil {
				continue
			}
			for _, p := range parsed.Partitions {
				if name, ok := p.Value.(string); ok && p.Field == "name" {
					known[name] = true
				}
			}
		}
	}
	if known[opts.task] {
		return nil // it ran, and wrote none of these
	}
	if len(known) == 0 {
		return cliutil.Failuref("task %s has no %s in %s: no task has run there yet (run `flowctl develop --data-dir %s`, or pass the --data-dir it used)",
			opts.task, what, opts.dataDir, opts.dataDir)
	}
	return cliutil.Failuref("task %s has no %s in %s; tasks that ran there: %s",
		opts.task, what, opts.dataDir, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
}

// logDoc is what a log line shows of a Flow log document.
type logDoc struct {
	TS      string                     `json:"ts"`
	Level   string                     `json:"level"`
	Message string                     `json:"message"`
	Fields  map[string]json.RawMessage `json:"fields"`
}

// formatLogLine renders a log document as one line: time, level, message, then fields as
// key=value in key order. A document that is not a log document is shown as it is.
func formatLogLine(raw []byte, colored bool) []byte {
	var d logDoc
	if err := json.Unmarshal(raw, &d); err != nil || d.TS == "" {
		return []byte(oneLine(string(raw)))
	}
	var b strings.Builder
	if ts, err := time.Parse(time.RFC3339Nano, d.TS); err == nil {
		b.WriteString(ts.Local().Format("2006-01-02 15:04:05.000"))
	} else {
		b.WriteString(oneLine(d.TS))
	}
	b.WriteByte(' ')
	level := fmt.Sprintf("%-5s", strings.ToUpper(oneLine(d.Level)))
	if c := levelColor(d.Level); colored && c != nil {
		level = c.Sprint(level)
	}
	b.WriteString(level)
	b.WriteByte(' ')
	b.WriteString(oneLine(d.Message))
	for _, k := range slices.Sorted(maps.Keys(d.Fields)) {
		b.WriteByte(' ')
		b.WriteString(oneLine(k))
		b.WriteByte('=')
		var s string
		if json.Unmarshal(d.Fields[k], &s) == nil && s != "" && !strings.ContainsAny(s, " \"=") {
			b.WriteString(oneLine(s))
		} else {
			b.WriteString(oneLine(string(d.Fields[k])))
		}
	}
	return []byte(b.String())
}

// oneLine quotes text with line breaks or other control characters, so that one document stays
// one line.
func oneLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

func levelColor(level string) *color.Color {
	var c *color.Color
	switch level {
	case "error":
		c = color.New(color.FgRed, color.Bold)
	case "warn":
		c = color.New(color.FgYellow)
	case "debug", "trace":
		c = color.New(color.Faint)
	default:
		return nil
	}
	c.EnableColor() // the caller decided: stdout is a terminal and NO_COLOR is unset
	return c
}

// statsRow is what the stats table shows of one Flow stats document.
type statsRow struct {
	ts                                       string
	txns, docsIn, bytesIn, docsOut, bytesOut int64
}

// statsDoc is a Flow stats document, as far as the table reads it.
type statsDoc struct {
	TS          string                  `json:"ts"`
	TxnCount    int64                   `json:"txnCount"`
	Capture     map[string]bindingFlows `json:"capture"`
	Materialize map[string]bindingFlows `json:"materialize"`
	Derive      *struct {
		Transforms map[string]struct {
			Input docsBytes `json:"input"`
		} `json:"transforms"`
		Out docsBytes `json:"out"`
	} `json:"derive"`
}

type bindingFlows struct {
	Right docsBytes `json:"right"`
	Out   docsBytes `json:"out"`
}

type docsBytes struct {
	Docs  int64 `json:"docsTotal"`
	Bytes int64 `json:"bytesTotal"`
}

// parseStatsRow sums a stats document's bindings: documents in are what a capture's connector
// sent, what a derivation's transforms read, or what a materialization read; documents out are
// what the task published or stored.
func parseStatsRow(raw []byte) (statsRow, error) {
	var d statsDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return statsRow{}, fmt.Errorf("stats document %s: %w", abbreviateRaw(raw), err)
	}
	if d.TS == "" {
		return statsRow{}, fmt.Errorf("stats document %s has no ts", abbreviateRaw(raw))
	}
	row := statsRow{ts: d.TS, txns: d.TxnCount}
	for _, flows := range []map[string]bindingFlows{d.Capture, d.Materialize} {
		for _, b := range flows {
			row.docsIn, row.bytesIn = row.docsIn+b.Right.Docs, row.bytesIn+b.Right.Bytes
			row.docsOut, row.bytesOut = row.docsOut+b.Out.Docs, row.bytesOut+b.Out.Bytes
		}
	}
	if d.Derive != nil {
		for _, t := range d.Derive.Transforms {
			row.docsIn, row.bytesIn = row.docsIn+t.Input.Docs, row.bytesIn+t.Input.Bytes
		}
		row.docsOut, row.bytesOut = row.docsOut+d.Derive.Out.Docs, row.bytesOut+d.Derive.Out.Bytes
	}
	return row, nil
}

func abbreviateRaw(raw []byte) string {
	if len(raw) > 120 {
		return oneLine(string(raw[:120])) + "…"
	}
	return oneLine(string(raw))
}

// printStatsTable prints one row per stats document and a total.
func printStatsTable(ctx context.Context, f *Factory, opts *opsReadOptions) error {
	var rows []statsRow
	var mu sync.Mutex
	err := readOps(ctx, f, opts, runtime.OpsStatsCollection, "stats", func(raw []byte) ([]byte, error) {
		row, err := parseStatsRow(raw)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		rows = append(rows, row)
		mu.Unlock()
		return nil, nil
	})
	if err != nil {
		return err
	}
	t := cliutil.NewTable(f.IO, "time", "transactions", "docs in", "bytes in", "docs out", "bytes out")
	var total statsRow
	total.ts = "total"
	for _, r := range rows {
		t.Row(r.ts, itoa(r.txns), itoa(r.docsIn), itoa(r.bytesIn), itoa(r.docsOut), itoa(r.bytesOut))
		total.txns, total.docsIn, total.bytesIn = total.txns+r.txns, total.docsIn+r.docsIn, total.bytesIn+r.bytesIn
		total.docsOut, total.bytesOut = total.docsOut+r.docsOut, total.bytesOut+r.bytesOut
	}
	t.Row(total.ts, itoa(total.txns), itoa(total.docsIn), itoa(total.bytesIn), itoa(total.docsOut), itoa(total.bytesOut))
	return t.Flush()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
