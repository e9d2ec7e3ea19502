package connector

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// recordingHandler keeps log records for assertions.
type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
	attrs   []slog.Attr
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.AddAttrs(h.attrs...)
	h.records = append(h.records, r)
	return nil
}
func (h *recordingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &recordingProxy{h, as}
}
func (h *recordingHandler) WithGroup(string) slog.Handler { return h }

// recordingProxy adds attributes of Logger.With to records of a shared recordingHandler.
type recordingProxy struct {
	h     *recordingHandler
	attrs []slog.Attr
}

func (p *recordingProxy) Enabled(context.Context, slog.Level) bool { return true }
func (p *recordingProxy) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(p.attrs...)
	return p.h.Handle(ctx, r)
}
func (p *recordingProxy) WithAttrs(as []slog.Attr) slog.Handler {
	return &recordingProxy{p.h, append(append([]slog.Attr{}, p.attrs...), as...)}
}
func (p *recordingProxy) WithGroup(string) slog.Handler { return p }

func (h *recordingHandler) find(msg string) (slog.Record, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.records {
		if r.Message == msg {
			return r, true
		}
	}
	return slog.Record{}, false
}

func attrsOf(r slog.Record) map[string]string {
	out := map[string]string{}
	r.Attrs(func(a slog.Attr) bool { out[a.Key] = a.Value.String(); return true })
	return out
}

func shellEndpoint(script string) Endpoint {
	return Endpoint{Task: "acmeCo/test", Local: &LocalEndpoint{Command: []string{"/bin/sh", "-c", script}}}
}

// answerSpec is a shell snippet that answers the runtime's initial spec request.
const answerSpec = `read line; echo '{"spec":{"protocol":3032023}}'; `

func testOptions(h *recordingHandler) Options {
	return Options{Logger: slog.New(h), GracePeriod: 300 * time.Millisecond}
}

func TestPythonConnector(t *testing.T) {
	python, err := lookPython()
	if err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("testdata/python_materialize.py")
	ep := Endpoint{Task: "acmeCo/py", Local: &LocalEndpoint{Command: []string{python, script}}}
	logs := &recordingHandler{}
	opts := testOptions(logs)
	ctx := t.Context()

	spec, err := MaterializeUnary(ctx, ep, opts, &MaterializeRequest{Spec: &SpecRequest{ConnectorType: ConnectorTypeLocal}})
	if err != nil || spec.Spec.Protocol != ProtocolVersion {
		t.Fatalf("spec: %v %+v", err, spec)
	}
	coll := CollectionSpec{Name: "acmeCo/c", Key: []string{"/id"}, Projections: []Projection{{Field: "id", Ptr: "/id"}, {Field: "v", Ptr: "/v"}}}
	validated, err := ValidateMaterialization(ctx, ep, opts, &MaterializeValidate{Name: "acmeCo/py",
		Bindings: []MaterializeValidateBinding{{ResourceConfig: json.RawMessage(`{"table":"t"}`), Collection: coll}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := validated.Bindings[0]; got.ResourcePath[0] != "t" || got.Constraints["v"].Type != LocationRecommended {
		t.Fatalf("validated: %+v", got)
	}

	s, err := OpenMaterialize(ctx, ep, opts)
	if err != nil {
		t.Fatal(err)
	}
	spec2 := &MaterializationSpec{Name: "acmeCo/py", Bindings: []MaterializationBinding{{Collection: coll}}}
	exchange := func(req *MaterializeRequest, wantKinds ...string) []*MaterializeResponse {
		t.Helper()
		if err := s.Send(req); err != nil {
			t.Fatal(err)
		}
		var out []*MaterializeResponse
		for range wantKinds {
			r, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		for i, r := range out {
			if r.Kind() != wantKinds[i] {
				t.Fatalf("response %d is %q, want %q", i, r.Kind(), wantKinds[i])
			}
		}
		return out
	}
	exchange(&MaterializeRequest{Open: &MaterializeOpen{Materialization: spec2, Range: &FullRange}}, "opened")
	for txn := range 2 {
		exchange(&MaterializeRequest{Acknowledge: &MaterializeAcknowledge{}}, "acknowledged")
		exchange(&MaterializeRequest{Load: &Load{Key: json.RawMessage(`["a"]`)}})
		want := []string{"flushed"}
		if txn == 1 {
			want = []string{"loaded", "flushed"}
		}
		got := exchange(&MaterializeRequest{Flush: &Flush{}}, want...)
		if txn == 1 && string(got[0].Loaded.Doc) != `{"id": "a", "v": 0}` {
			t.Fatalf("loaded %s", got[0].Loaded.Doc)
		}
		exchange(&MaterializeRequest{Store: &Store{Key: json.RawMessage(`["a"]`), Doc: json.RawMessage(`{"id":"a","v":` + strconv.Itoa(txn) + `}`)}})
		exchange(&MaterializeRequest{StartCommit: &StartCommit{RuntimeCheckpoint: &Checkpoint{}}}, "startedCommit")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	rec, ok := logs.find("python connector ready")
	if !ok {
		t.Fatalf("stderr log not recorded: %+v", logs.records)
	}
	if a := attrsOf(rec); rec.Level != slog.LevelWarn || a["bindings"] != "1" || a["task"] != "acmeCo/py" {
		t.Errorf("log record level %v attrs %v", rec.Level, a)
	}
}

func lookPython() (string, error) {
	for _, p := range []string{"/usr/bin/python3", "/usr/local/bin/python3"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("python3 not found in /usr/bin or /usr/local/bin; the third-party connector test needs it")
}

func TestMisbehavingConnectors(t *testing.T) {
	validate := &MaterializeRequest{Validate: &MaterializeValidate{Name: "acmeCo/test"}}
	cases := []struct {
		name    string
		script  string
		timeout time.Duration
		want    []string // substrings of the error
	}{
		{"exits non-zero after logging",
			answerSpec + `echo '{"level":"error","msg":"cannot connect","error":"connection refused"}' >&2; exit 3`, 0,
			[]string{"task acmeCo/test (local command /bin/sh", "exit status 3", "cannot connect: connection refused"}},
		{"exits non-zero with plain stderr",
			answerSpec + `echo 'Traceback: boom' >&2; exit 1`, 0, []string{"exit status 1", "Traceback: boom"}},
		{"exits cleanly without answering",
			answerSpec + `exit 0`, 0, []string{"exited without answering"}},
		// Closing stdin first makes the request's write fail before the clean exit: the other side
		// of the race above, which must read the same.
		{"exits cleanly before the request is written",
			answerSpec + `exec 0<&-; sleep 0.1; exit 0`, 0, []string{"exited without answering"}},
		{"malformed output",
			answerSpec + `read line; echo 'hello, world'; sleep 10`, 0,
			[]string{"acmeCo/test", `malformed message "hello, world"`}},
		{"wrong response",
			answerSpec + `read line; echo '{"flushed":{}}'; sleep 10`, 0,
			[]string{"acmeCo/test", `received "flushed" but expected "validated"`}},
		{"answers the spec wrongly",
			`read line; echo '{"opened":{}}'; sleep 10`, 0, []string{`received "opened" but expected "spec"`}},
		{"hangs",
			answerSpec + `read line; sleep 1000`, 300 * time.Millisecond, []string{"connector stopped", "deadline exceeded"}},
		{"hangs ignoring SIGTERM",
			answerSpec + `trap "" TERM; read line; while true; do sleep 0.05; done`, 300 * time.Millisecond,
			[]string{"connector stopped", "deadline exceeded"}},
		{"two responses to a unary request",
			answerSpec + `read line; echo '{"validated":{}}'; echo '{"validated":{}}'`, 0, []string{`received "validated": no request is awaiting an answer`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			start := time.Now()
			_, err := MaterializeUnary(ctx, shellEndpoint(c.script), testOptions(&recordingHandler{}), validate)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v: the connector was not stopped promptly", d)
			}
		})
	}
}

// TestNoOrphans checks that stopping a connector also stops the processes it started.
func TestNoOrphans(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	ep := shellEndpoint(answerSpec + `sleep 1000 & echo $! > ` + pidFile + `; wait`)
	ctx, cancel := context.WithCancel(t.Context())
	s, err := OpenMaterialize(ctx, ep, testOptions(&recordingHandler{}))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			break
		}
	}
	if pid == 0 {
		t.Fatal("the connector did not start its child")
	}
	cancel()
	if _, err := s.Recv(); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("Recv after cancel: %v", err)
	}
	_ = s.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			break // gone
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d outlived its connector", pid)
		}
	}
}

func TestEndpointErrors(t *testing.T) {
	ctx := t.Context()
	opts := testOptions(&recordingHandler{})
	cases := []struct {
		name string
		ep   Endpoint
		want []string
	}{
		{"empty command", Endpoint{Task: "a/b", Local: &LocalEndpoint{}}, []string{"a/b", "empty command"}},
		{"missing program", Endpoint{Task: "a/b", Local: &LocalEndpoint{Command: []string{"/no/such/connector"}}},
			[]string{"could not start", "/no/such/connector"}},
		{"protobuf", Endpoint{Task: "a/b", Local: &LocalEndpoint{Command: []string{"/bin/true"}, Protobuf: true}},
			[]string{"protobuf: true", "FLOW_RUNTIME_CODEC"}},
		{"no endpoint", Endpoint{Task: "a/b"}, []string{"neither an image nor a local command"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := OpenMaterialize(ctx, c.ep, opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestUnknownImageWithoutDocker(t *testing.T) {
	saved := probeDocker
	t.Cleanup(func() { probeDocker = saved })
	probeDocker = func(context.Context) error { return errors.New("no engine in this test") }
	_, err := OpenCapture(t.Context(), Endpoint{Task: "acmeCo/src", Image: "ghcr.io/acme/source-x:v1"}, Options{})
	for _, w := range []string{"task acmeCo/src", "ghcr.io/acme/source-x:v1", "not a built-in capture", "local:", "no engine in this test"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not contain %q", err, w)
		}
	}
}
