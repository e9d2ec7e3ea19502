package materialize

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/doc/tuple"
)

// filesSpec materializes acmeCo/things twice into dir: whole documents into docs/things.jsonl,
// and the selected fields alone into fields.jsonl.
func filesSpec(dir string) *connector.MaterializationSpec {
	docs := testBinding("things", true)
	docs.ResourceConfig = json.RawMessage(`{"path":"docs/things.jsonl"}`)
	fields := testBinding("things", true)
	fields.ResourceConfig = json.RawMessage(`{"path":"fields.jsonl"}`)
	fields.FieldSelection.Document = ""
	return &connector.MaterializationSpec{Name: "acmeCo/to-files", ConnectorType: connector.ConnectorTypeImage,
		Config: json.RawMessage(fmt.Sprintf(`{"directory":%q}`, dir)), Bindings: []connector.MaterializationBinding{docs, fields}}
}

var filesEndpoint = connector.Endpoint{Task: "acmeCo/to-files", Image: FilesImage + ":dev"}

// filesTxn stores doc {id, n} into both bindings, the second with packed keys and values as
// Flow sends them, then commits with a checkpoint at readThrough.
func (ss *session) filesTxn(readThrough int64, ids []string, n int) {
	ss.exchange(&connector.MaterializeRequest{Flush: &connector.Flush{}}, "flushed")
	for _, id := range ids {
		doc := fmt.Sprintf(`{ "id": %q, "n": %d, "tags": ["<a>"] }`, id, n)
		ss.exchange(&connector.MaterializeRequest{Store: &connector.Store{Binding: 0, Key: json.RawMessage(fmt.Sprintf("[%q]", id)),
			Values: json.RawMessage(fmt.Sprintf(`[%d,["<a>"]]`, n)), Doc: json.RawMessage(doc)}})
		ss.exchange(&connector.MaterializeRequest{Store: &connector.Store{Binding: 1, KeyPacked: tuple.Pack(nil, id),
			ValuesPacked: tuple.Pack(nil, int64(n), []byte(`["<a>"]`)), Doc: json.RawMessage(doc)}})
	}
	ss.exchange(&connector.MaterializeRequest{StartCommit: &connector.StartCommit{RuntimeCheckpoint: filesCheckpoint(readThrough)}}, "startedCommit")
	ss.exchange(&connector.MaterializeRequest{Acknowledge: &connector.MaterializeAcknowledge{}}, "acknowledged")
}

func filesCheckpoint(readThrough int64) *connector.Checkpoint {
	return &connector.Checkpoint{Sources: map[string]connector.SourceCheckpoint{"acmeCo/things/pivot=00;materialize/x": {ReadThrough: readThrough}}}
}

// thingLine is the line of doc {id, n}: the compacted document, which is also the object of
// its selected fields (id, n and tags, in sorted order).
func thingLine(id string, n int) string {
	return fmt.Sprintf(`{"id":%q,"n":%d,"tags":["<a>"]}`, id, n)
}

func assertLines(t *testing.T, path string, want ...string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s holds\n%s\nwant\n%s", path, raw, strings.Join(want, "\n"))
	}
}

func TestFilesAppendsEachTransactionOnce(t *testing.T) {
	dir := t.TempDir()
	spec := filesSpec(dir)
	a, cp := openSession(t, filesEndpoint, spec)
	if cp != nil {
		t.Fatalf("a new directory holds checkpoint %+v", cp)
	}
	a.filesTxn(10, []string{"k1", "k2"}, 1)
	a.filesTxn(20, []string{"k1"}, 2)
	a.s.Close()

	docs, fields := filepath.Join(dir, "docs", "things.jsonl"), filepath.Join(dir, "fields.jsonl")
	assertLines(t, docs, thingLine("k1", 1), thingLine("k2", 1), thingLine("k1", 2))
	assertLines(t, fields, thingLine("k1", 1), thingLine("k2", 1), thingLine("k1", 2))

	// A new session resumes from the last checkpoint; the runtime replays that transaction
	// (same checkpoint), which must not be written again, then goes on.
	b, cp := openSession(t, filesEndpoint, spec)
	if cp == nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 20 {
		t.Fatalf("opened with checkpoint %+v, want readThrough 20", cp)
	}
	b.filesTxn(20, []string{"k1"}, 2)
	b.filesTxn(30, []string{"k3"}, 3)
	b.s.Close()
	assertLines(t, docs, thingLine("k1", 1), thingLine("k2", 1), thingLine("k1", 2), thingLine("k3", 3))
	assertLines(t, fields, thingLine("k1", 1), thingLine("k2", 1), thingLine("k1", 2), thingLine("k3", 3))
}

func TestFilesRedoesACommittedTransactionAfterACrash(t *testing.T) {
	dir := t.TempDir()
	spec := filesSpec(dir)
	a, _ := openSession(t, filesEndpoint, spec)
	a.filesTxn(10, []string{"k1"}, 1)
	a.filesTxn(20, []string{"k2"}, 2)
	a.s.Close()
	docs, fields := filepath.Join(dir, "docs", "things.jsonl"), filepath.Join(dir, "fields.jsonl")

	// A crash after the checkpoint was recorded: one file got half of its append, the other none.
	cut := int64(len(thingLine("k1", 1)) + 1)
	if err := os.Truncate(docs, cut+5); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(fields, cut); err != nil {
		t.Fatal(err)
	}
	// And a transaction that never committed left a spool behind.
	stray := filepath.Join(dir, filesStateDir, "acmeCo%2Fto-files.123.spool")
	if err := os.WriteFile(stray, []byte(thingLine("lost", 9)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	b, cp := openSession(t, filesEndpoint, spec)
	if cp == nil || cp.Sources["acmeCo/things/pivot=00;materialize/x"].ReadThrough != 20 {
		t.Fatalf("opened with checkpoint %+v, want readThrough 20", cp)
	}
	b.s.Close()
	assertLines(t, docs, thingLine("k1", 1), thingLine("k2", 2))
	assertLines(t, fields, thingLine("k1", 1), thingLine("k2", 2))
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Fatalf("the spool of an uncommitted transaction was kept: %v", err)
	}
}

func TestFilesRefusesAFileShortenedOutsideFlowctl(t *testing.T) {
	dir := t.TempDir()
	spec := filesSpec(dir)
	a, _ := openSession(t, filesEndpoint, spec)
	a.filesTxn(10, []string{"k1"}, 1)
	a.filesTxn(20, []string{"k2"}, 2)
	a.s.Close()
	if err := os.Truncate(filepath.Join(dir, "fields.jsonl"), 3); err != nil {
		t.Fatal(err)
	}
	s, err := connector.OpenMaterialize(t.Context(), filesEndpoint, connector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Send(&connector.MaterializeRequest{Open: &connector.MaterializeOpen{Materialization: spec, Range: &connector.FullRange}}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Recv()
	if err == nil || !strings.Contains(err.Error(), "changed outside flowctl") {
		t.Fatalf("open over a shortened file: %v, want an error saying it changed outside flowctl", err)
	}
}

func TestFilesValidate(t *testing.T) {
	dir := t.TempDir()
	spec := filesSpec(dir)
	req := &connector.MaterializeValidate{Name: spec.Name, Config: spec.Config}
	for _, b := range spec.Bindings {
		req.Bindings = append(req.Bindings, connector.MaterializeValidateBinding{ResourceConfig: b.ResourceConfig, Collection: b.Collection})
	}
	got, err := connector.ValidateMaterialization(t.Context(), filesEndpoint, connector.Options{}, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"docs/things.jsonl", "fields.jsonl"} {
		b := got.Bindings[i]
		if !b.DeltaUpdates || len(b.ResourcePath) != 1 || b.ResourcePath[0] != want {
			t.Errorf("binding %d: deltaUpdates %v, resource path %v; want true, [%s]", i, b.DeltaUpdates, b.ResourcePath, want)
		}
		if b.Constraints["id"].Type != connector.LocationRequired || b.Constraints["flow_document"].Type != connector.LocationRecommended {
			t.Errorf("binding %d constraints: %+v", i, b.Constraints)
		}
	}

	bad := []struct {
		name, config, resource2, want string
	}{
		{"no directory", `{}`, `{"path":"b.jsonl"}`, "has no `directory`"},
		{"same file twice", fmt.Sprintf(`{"directory":%q}`, dir), `{"path":"./docs/things.jsonl"}`, "both write docs/things.jsonl"},
		{"escaping path", fmt.Sprintf(`{"directory":%q}`, dir), `{"path":"../x.jsonl"}`, "leaves the directory"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			r := *req
			r.Config = json.RawMessage(c.config)
			r.Bindings = append([]connector.MaterializeValidateBinding{}, req.Bindings...)
			r.Bindings[1].ResourceConfig = json.RawMessage(c.resource2)
			_, err := connector.ValidateMaterialization(t.Context(), filesEndpoint, connector.Options{}, &r)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestFilesRefusesLoads(t *testing.T) {
	a, _ := openSession(t, filesEndpoint, filesSpec(t.TempDir()))
	defer a.s.Close()
	if err := a.s.Send(&connector.MaterializeRequest{Load: &connector.Load{Key: json.RawMessage(`["k1"]`)}}); err != nil {
		t.Fatal(err)
	}
	a.s.Send(&connector.MaterializeRequest{Flush: &connector.Flush{}})
	if _, err := a.s.Recv(); err == nil || !strings.Contains(err.Error(), "delta-updates only") {
		t.Fatalf("load: %v, want a delta-updates-only error", err)
	}
}

func TestParseFilesResource(t *testing.T) {
	cases := []struct{ raw, want, wantErr string }{
		{`{"path":"out.jsonl"}`, "out.jsonl", ""},
		{`{"path":"a/./b//c.jsonl"}`, "a/b/c.jsonl", ""},
		{`{"path":"..data.jsonl"}`, "..data.jsonl", ""},
		{`{}`, "", "has no `path`"},
		{`{"path":"/etc/passwd"}`, "", "is absolute"},
		{`{"path":"C:/x.jsonl"}`, "", "is absolute"},
		{`{"path":"a/../../x"}`, "", "leaves the directory"},
		{`{"path":"a\\b"}`, "", "backslash"},
		{`{"path":"dir/"}`, "", "names a directory"},
		{`{"path":"."}`, "", "names a directory"},
		{`{"path":".flowctl/x.jsonl"}`, "", "holds flowctl's checkpoints"},
		{`{"path":7}`, "", "expected {path: FILE}"},
	}
	for _, c := range cases {
		r, err := parseFilesResource(json.RawMessage(c.raw), "acmeCo/things")
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.raw, err, c.wantErr)
			}
			continue
		}
		if err != nil || r.Path != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.raw, r.Path, err, c.want)
		}
	}
}

// FuzzFilesResource checks that no accepted resource path can leave the directory.
func FuzzFilesResource(f *testing.F) {
	f.Add(`{"path":"a/b.jsonl"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := parseFilesResource(json.RawMessage(raw), "acmeCo/things")
		if err != nil {
			return
		}
		if !filepath.IsLocal(filepath.FromSlash(r.Path)) || strings.HasPrefix(r.Path, filesStateDir+"/") {
			t.Fatalf("accepted %q, which is not a file under the directory", r.Path)
		}
	})
}
