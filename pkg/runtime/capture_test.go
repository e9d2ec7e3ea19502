package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/catalogtest"
)

// scriptCatalog is a capture of a local: Python connector whose open handler is body.
const scriptCatalog = `
collections:
  acme/events:
    key: [/id]
    schema: {type: object, required: [id], properties: {id: {type: integer}}}
captures:
  acme/script:
    endpoint:
      local:
        command: [python3, %q]
        config: {}
    bindings:
      - resource: {stream: numbers}
        target: acme/events
`

const scriptConnector = `import json, sys

def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()

for line in sys.stdin:
    request = json.loads(line)
    if "spec" in request:
        send({"spec": {"protocol": 3032023, "configSchema": {"type": "object"},
                       "resourceConfigSchema": {"type": "object"}, "documentationUrl": "https://example.com",
                       "resourcePathPointers": ["/stream"]}})
    elif "validate" in request:
        send({"validated": {"bindings": [{"resourcePath": ["numbers"]}]}})
    elif "open" in request:
        send({"opened": {}})
%s
        sys.exit(0)
`

// runScriptCapture runs a capture session of a connector whose open handler is body (Python,
// indented 8 spaces), returning the transactions it committed and the session's error.
func runScriptCapture(t *testing.T, body string) ([]CaptureTransaction, error) {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "connector.py")
	if err := os.WriteFile(script, []byte(fmt.Sprintf(scriptConnector, body)), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(src, []byte(fmt.Sprintf(scriptCatalog, script)), 0o644); err != nil {
		t.Fatal(err)
	}
	built := catalogtest.BuildFile(t, src)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var txns []CaptureTransaction
	err := RunCaptureSession(ctx, built, "acme/script", CaptureSessionOptions{
		Committed: func(txn CaptureTransaction) error { txns = append(txns, txn); return nil },
	})
	return txns, err
}

// TestCaptureEOFWithinCheckpoint: a connector that exits after documents it never checkpointed
// broke the protocol, and Flow fails the task ("EOF within a checkpoint"). Returning nil instead
// ends a finite capture as if done, silently dropping the transaction's checkpoints folded so far.
func TestCaptureEOFWithinCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		wantErr    string
	}{
		{
			name: "trailing documents",
			body: `        for i in range(1, 200):
            send({"captured": {"binding": 0, "doc": {"id": i}}})
            send({"checkpoint": {"state": {"updated": {"cursor": i}}}})
        send({"captured": {"binding": 0, "doc": {"id": 1000}}})`,
			wantErr: "connector exited within a checkpoint",
		},
		{
			// The last checkpoint may be folded into the transaction while the schema waits.
			name: "a sourced schema after the last checkpoint",
			body: `        for i in range(1, 200):
            send({"captured": {"binding": 0, "doc": {"id": i}}})
            send({"checkpoint": {"state": {"updated": {"cursor": i}}}})
        send({"sourcedSchema": {"binding": 0, "documentSchema": {"type": "object"}}})`,
		},
		{
			name: "every document checkpointed",
			body: `        for i in range(1, 200):
            send({"captured": {"binding": 0, "doc": {"id": i}}})
            send({"checkpoint": {"state": {"updated": {"cursor": i}}}})`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			txns, err := runScriptCapture(t, tc.body)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("session failed: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("session error %v, want one containing %q", err, tc.wantErr)
			}
			docs := 0
			for _, txn := range txns {
				docs += len(txn.Docs)
			}
			if tc.wantErr == "" && (len(txns) == 0 || docs != 199 || lastState(txns) != `{"cursor":199}`) {
				t.Errorf("committed %d documents in %d transactions, last state %s; want 199 and cursor 199",
					docs, len(txns), lastState(txns))
			}
			for _, txn := range txns {
				for _, d := range txn.Docs {
					if fmt.Sprint(d.Doc["id"]) == "1000" {
						t.Errorf("the uncheckpointed document was committed: %v", d.Doc)
					}
				}
			}
		})
	}
}

// TestCaptureStopsResponseReader: when a session ends early (here on a document the schema
// rejects) while the connector has sent more than the response buffer holds, the goroutine
// receiving responses must still exit rather than block forever on the full channel.
func TestCaptureStopsResponseReader(t *testing.T) {
	_, err := runScriptCapture(t, `        send({"captured": {"binding": 0, "doc": {"id": "not an integer"}}})
        for i in range(5000):
            send({"captured": {"binding": 0, "doc": {"id": i}}})
        send({"checkpoint": {"state": {"updated": {}}}})`)
	if err == nil || !strings.Contains(err.Error(), "does not fit collection acme/events") {
		t.Fatalf("session error %v, want the rejected document", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var stacks bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&stacks, 1); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stacks.String(), "(*captureShard).run.func") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the response reader of the ended session is still running:\n%s", stacks.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func lastState(txns []CaptureTransaction) string {
	if len(txns) == 0 {
		return "(none)"
	}
	var state bytes.Buffer
	if err := json.Compact(&state, txns[len(txns)-1].State); err != nil {
		return err.Error()
	}
	return state.String()
}
