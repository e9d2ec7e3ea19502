package sourcefile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

// captureSpec binds one collection per resource config under an endpoint path.
func captureSpec(path string, resources ...string) *connector.CaptureSpec {
	s := &connector.CaptureSpec{Name: "acmeCo/files", ConnectorType: connector.ConnectorTypeImage,
		Config: jsonOf(map[string]string{"path": path})}
	for i, r := range resources {
		s.Bindings = append(s.Bindings, connector.CaptureBinding{
			ResourceConfig: json.RawMessage(r),
			ResourcePath:   []string{fmt.Sprintf("s%d", i)},
			Collection:     connector.CollectionSpec{Name: fmt.Sprintf("acmeCo/s%d", i), Key: []string{"/_meta/file", "/_meta/offset"}},
		})
	}
	return s
}

func jsonOf(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func writeLines(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "{\"id\":%d,\"name\":\"n%d\"}\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func discover(t *testing.T, config string) (*connector.Discovered, error) {
	t.Helper()
	resp, err := capturetest.Unary(t, Image+":dev", &connector.CaptureRequest{Discover: &connector.Discover{Config: json.RawMessage(config)}})
	if err != nil {
		return nil, err
	}
	return resp.Discovered, nil
}

func TestSpec(t *testing.T) {
	resp, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Spec: &connector.SpecRequest{}})
	if err != nil || resp.Spec == nil {
		t.Fatalf("spec: %v %v", resp, err)
	}
	if resp.Spec.Protocol != connector.ProtocolVersion || resp.Spec.ResourcePathPointers[0] != "/stream" {
		t.Fatalf("spec = %+v", resp.Spec)
	}
	for _, s := range []json.RawMessage{resp.Spec.ConfigSchema, resp.Spec.ResourceConfigSchema} {
		if !json.Valid(s) {
			t.Fatalf("schema is not JSON: %s", s)
		}
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"orders-1.ndjson": "{\"order_id\":\"a\",\"total\":1,\"tags\":[\"x\"]}\n{\"order_id\":\"b\",\"total\":2.5,\"note\":null}\n",
		"orders-2.ndjson": "{\"order_id\":\"c\",\"total\":3}\n",
		"people.json":     `[{"id":1,"user_id":"u"},{"id":2,"user_id":"v"}]`,
		"mixed.ndjson":    "{\"id\":1}\n{\"id\":\"two\"}\n",
		"sensors.csv":     "sensor,value\ns1,1.5\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		path, stream, key string
		fallback          bool
		schema            string // a fragment the document schema must contain
	}{
		{"orders-*.ndjson", "orders", "/order_id", false, `"total":{"type":"number"}`},
		{"people.json", "people", "/id", false, `"id":{"type":"integer"}`},
		{"mixed.ndjson", "mixed", "/_meta/file,/_meta/offset", true, `"id":{"type":["integer","string"]}`},
		{"sensors.csv", "sensors", "/_meta/file,/_meta/offset", true, `"value":{"type":"string"}`},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			got, err := discover(t, string(jsonOf(map[string]string{"path": filepath.Join(dir, tc.path)})))
			if err != nil || len(got.Bindings) != 1 {
				t.Fatalf("discover: %+v %v", got, err)
			}
			b := got.Bindings[0]
			if b.RecommendedName != tc.stream || b.ResourcePath[0] != tc.stream || string(b.ResourceConfig) != `{"stream":"`+tc.stream+`"}` {
				t.Errorf("binding names = %q %v %s", b.RecommendedName, b.ResourcePath, b.ResourceConfig)
			}
			if strings.Join(b.Key, ",") != tc.key || b.IsFallbackKey != tc.fallback {
				t.Errorf("key = %v (fallback %v), want %s", b.Key, b.IsFallbackKey, tc.key)
			}
			if !strings.Contains(string(b.DocumentSchema), tc.schema) || !strings.Contains(string(b.DocumentSchema), `"_meta"`) {
				t.Errorf("schema %s lacks %s or _meta", b.DocumentSchema, tc.schema)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte("{\"id\":1}\n{oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(odd, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ config, want string }{
		{`{}`, "path is required"},
		{`{"path":"x","glob":true}`, `unknown field "glob"`},
		{`{"path":"[x"}`, "not a valid glob"},
		{string(jsonOf(map[string]string{"path": filepath.Join(dir, "none-*.ndjson")})), "matches no files"},
		{string(jsonOf(map[string]string{"path": bad})), "bad.ndjson:2: not valid JSON"},
		{string(jsonOf(map[string]string{"path": odd})), "data.txt: cannot tell the format from the extension"},
	} {
		_, err := discover(t, tc.config)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %s: error %v, want %q", tc.config, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "a.ndjson"), 0, 1)
	validate := func(resources ...string) (*connector.CaptureValidated, error) {
		req := &connector.CaptureValidate{Name: "acmeCo/files", Config: jsonOf(map[string]string{"path": filepath.Join(dir, "*.ndjson")})}
		for _, r := range resources {
			req.Bindings = append(req.Bindings, connector.CaptureValidateBinding{ResourceConfig: json.RawMessage(r)})
		}
		resp, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Validate: req})
		if err != nil {
			return nil, err
		}
		return resp.Validated, nil
	}
	got, err := validate(`{"stream":"a"}`, `{"stream":"b","path":"`+filepath.Join(dir, "a.ndjson")+`","format":"ndjson"}`)
	if err != nil || len(got.Bindings) != 2 || got.Bindings[1].ResourcePath[0] != "b" {
		t.Fatalf("validate = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		resources []string
		want      string
	}{
		{[]string{`{"stream":"a"}`, `{"stream":"a"}`}, `bindings 0 and 1 both have stream "a"`},
		{[]string{`{}`}, "binding 0: stream is required"},
		{[]string{`{"stream":"a","format":"xml"}`}, `format "xml" is not one of ndjson, json, csv`},
		{[]string{`{"stream":"a","path":"` + filepath.Join(dir, "b.ndjson") + `"}`}, `binding 0 (stream "a"): path`},
	} {
		_, err := validate(tc.resources...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.resources, err, tc.want)
		}
	}
}

func TestFullReadOfAGlobInNameOrder(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "b.ndjson"), 2, 4)
	writeLines(t, filepath.Join(dir, "a.ndjson"), 0, 2)
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte("id,name\n4,n4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "d.ndjson"), 0o755); err != nil { // directories are not files
		t.Fatal(err)
	}
	s, opened := capturetest.Open(t, Image, captureSpec(filepath.Join(dir, "*"), `{"stream":"all"}`), nil)
	if opened.ExplicitAcknowledgements {
		t.Error("source-file asked for explicit acknowledgements")
	}
	docs, states := s.UntilEOF(t)
	var got []string
	for _, d := range docs {
		meta := d.Doc["_meta"].(map[string]any)
		got = append(got, fmt.Sprintf("%v@%s:%v", d.Doc["id"], filepath.Base(meta["file"].(string)), meta["offset"]))
	}
	if want := "0@a.ndjson:0 1@a.ndjson:21 2@b.ndjson:0 3@b.ndjson:21 4@c.csv:8"; strings.Join(got, " ") != want {
		t.Fatalf("documents = %s\nwant        %s", strings.Join(got, " "), want)
	}
	if len(states) != 3 || !states[0].MergePatch {
		t.Fatalf("%d checkpoints, want one per file: %v", len(states), states)
	}
	want := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]any{
		filepath.Join(dir, "a.ndjson"): wantFileState(t, filepath.Join(dir, "a.ndjson"), 42),
		filepath.Join(dir, "b.ndjson"): wantFileState(t, filepath.Join(dir, "b.ndjson"), 42),
		filepath.Join(dir, "c.csv"):    wantFileState(t, filepath.Join(dir, "c.csv"), 13),
	}}}})
	if got := capturetest.ApplyStates(t, nil, states); string(got) != string(want) {
		t.Fatalf("state = %s\nwant    %s", got, want)
	}
}

func TestRestartInTheMiddleResumesWithoutDuplicates(t *testing.T) {
	dir := t.TempDir()
	const total = 3*checkpointEvery + 10
	writeLines(t, filepath.Join(dir, "big.ndjson"), 0, total)
	spec := captureSpec(filepath.Join(dir, "big.ndjson"), `{"stream":"big"}`)

	s, _ := capturetest.Open(t, Image, spec, nil)
	first, states := s.Checkpoints(t, 2)
	s.Close()
	state := capturetest.ApplyStates(t, nil, states)

	s, _ = capturetest.Open(t, Image, spec, state)
	rest, more := s.UntilEOF(t)
	state = capturetest.ApplyStates(t, state, more)

	seen := map[string]bool{}
	for i, d := range append(first, rest...) {
		id := d.Doc["id"].(json.Number).String()
		if id != fmt.Sprint(i) || seen[id] {
			t.Fatalf("document %d has id %s (duplicate %v)", i, id, seen[id])
		}
		seen[id] = true
	}
	if len(seen) != total {
		t.Fatalf("captured %d documents, want %d", len(seen), total)
	}

	// A third session finds nothing new and ends without documents.
	s, _ = capturetest.Open(t, Image, spec, state)
	if docs, _ := s.UntilEOF(t); len(docs) != 0 {
		t.Fatalf("a finished file was read again: %d documents", len(docs))
	}
}

func TestRelativePathIsRelativeToTheWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "rel.ndjson"), 0, 3)
	t.Chdir(dir)
	s, _ := capturetest.Open(t, Image, captureSpec("rel.ndjson", `{"stream":"rel"}`), nil)
	docs, _ := s.UntilEOF(t)
	if len(docs) != 3 || docs[0].Doc["_meta"].(map[string]any)["file"] != filepath.Join(dir, "rel.ndjson") {
		t.Fatalf("documents = %v", docs)
	}
}

func TestSessionErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte("{\"id\":1}\n{\"id\":2,}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	metaNotObject := filepath.Join(dir, "meta.ndjson")
	if err := os.WriteFile(metaNotObject, []byte("{\"id\":1}\n{\"_meta\":5}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shrunk := filepath.Join(dir, "shrunk.ndjson")
	writeLines(t, shrunk, 0, 1)
	shrunkState := jsonOf(map[string]any{"bindingStateV1": map[string]any{"s0": map[string]any{"files": map[string]int64{shrunk: 500}}}})

	for _, tc := range []struct {
		path  string
		state json.RawMessage
		want  string
	}{
		{bad, nil, "bad.ndjson:2: not valid JSON"},
		{metaNotObject, nil, "meta.ndjson:2: the record's _meta is not an object"},
		{shrunk, shrunkState, "shorter than the 500 bytes already captured"},
	} {
		s, _ := capturetest.Open(t, Image, captureSpec(tc.path, `{"stream":"s"}`), tc.state)
		var err error
		for err == nil {
			_, err = s.Next(t)
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "capture acmeCo/files") {
			t.Errorf("%s: session error %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
