package httpingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

const taskName = "acmeCo/hook"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// webhookSchema requires a string "name" beside the connector's _meta.
const webhookSchema = `{"type":"object","required":["name","_meta"],"properties":{"name":{"type":"string"},
  "_meta":{"type":"object","required":["webhookId","receivedAt"],"properties":{"webhookId":{"type":"string"},"receivedAt":{"type":"string","format":"date-time"}}}}}`

// hook is an open http-ingest session with the base URL of its server.
type hook struct {
	*capturetest.Session
	url string
}

// openHook opens a session of a capture with the given endpoint config and one binding per
// resource config, each into collection acmeCo/c<i> with webhookSchema.
func openHook(t *testing.T, config string, resources ...string) *hook {
	t.Helper()
	t.Setenv(PortEnv, "0")
	spec := &connector.CaptureSpec{Name: taskName, ConnectorType: connector.ConnectorTypeImage, Config: json.RawMessage(config)}
	for i, r := range resources {
		spec.Bindings = append(spec.Bindings, connector.CaptureBinding{
			ResourceConfig: json.RawMessage(r),
			ResourcePath:   []string{fmt.Sprintf("c%d", i)},
			Collection: connector.CollectionSpec{Name: fmt.Sprintf("acmeCo/c%d", i), Key: []string{"/_meta/webhookId"},
				WriteSchema: json.RawMessage(webhookSchema)},
		})
	}
	s, opened := capturetest.Open(t, Image, spec, nil)
	if !opened.ExplicitAcknowledgements {
		t.Fatal("http-ingest must ask for explicit acknowledgements")
	}
	addr, ok := ListenAddr(taskName)
	if !ok {
		t.Fatal("no listening address after opened")
	}
	return &hook{Session: s, url: "http://" + addr.String()}
}

type reply struct {
	status int
	body   map[string]any
}

// post sends a request in the background: it only returns once the runtime side acknowledges.
func (h *hook) post(t *testing.T, path, body string, headers ...string) <-chan reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) <-chan reply {
	out := make(chan reply, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- reply{status: -1, body: map[string]any{"error": err.Error()}}
			return
		}
		defer resp.Body.Close()
		var body map[string]any
		data, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			body = map[string]any{"unparsed": string(data)}
		}
		out <- reply{status: resp.StatusCode, body: body}
	}()
	return out
}

func await(t *testing.T, replies <-chan reply) reply {
	t.Helper()
	select {
	case r := <-replies:
		return r
	case <-time.After(capturetest.Timeout):
		t.Fatal("no HTTP response")
		return reply{}
	}
}

// notYet checks that no response arrived while the checkpoint is unacknowledged.
func notYet(t *testing.T, replies <-chan reply) {
	t.Helper()
	select {
	case r := <-replies:
		t.Fatalf("answered %d %v before the runtime acknowledged", r.status, r.body)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPublishedOnlyAfterAcknowledge(t *testing.T) {
	h := openHook(t, `{"port":8080}`, `{}`) // PortEnv (0 in tests) overrides the config's port
	replies := h.post(t, "/acmeCo/c0", `{"name":"x","n":1.50}`, "X-Custom", "yes", "Authorization", "Bearer none", "Cookie", "c=1")
	docs, states := h.Checkpoints(t, 1)
	notYet(t, replies)
	if len(docs) != 1 || string(states[0].Updated) != `{}` || states[0].MergePatch {
		t.Fatalf("docs %v, checkpoint %s (merge %v)", docs, states[0].Updated, states[0].MergePatch)
	}
	doc := docs[0].Doc
	meta := doc["_meta"].(map[string]any)
	headers := meta["headers"].(map[string]any)
	if !uuidPattern.MatchString(meta["webhookId"].(string)) || meta["reqPath"] != "/acmeCo/c0" || doc["n"].(json.Number) != "1.50" {
		t.Errorf("document = %v", doc)
	}
	if _, err := time.Parse(time.RFC3339Nano, meta["receivedAt"].(string)); err != nil {
		t.Errorf("receivedAt: %v", err)
	}
	if headers["x-custom"] != "yes" || headers["authorization"] != nil || headers["cookie"] != nil || headers["host"] == nil {
		t.Errorf("headers = %v", headers)
	}
	if _, ok := meta["query"]; ok {
		t.Errorf("query recorded without query parameters: %v", meta)
	}
	h.Acknowledge(t, 1)
	if r := await(t, replies); r.status != 200 || r.body["published"] != 1.0 {
		t.Fatalf("reply = %+v", r)
	}
}

func TestArrayWithIDFromHeaderAndPathParameters(t *testing.T) {
	h := openHook(t, `{}`, `{"path":"/vendors/{vendorId}/orders","idFromHeader":"X-Webhook-Id"}`, `{"path":"/vendors/all/orders"}`)
	replies := h.post(t, "/vendors/v%201/orders?src=a&src=b", `[{"name":"a"},{"name":"b"}]`, "X-Webhook-Id", "req7")
	docs, _ := h.Checkpoints(t, 1)
	h.Acknowledge(t, 1)
	if r := await(t, replies); r.status != 200 || r.body["published"] != 2.0 {
		t.Fatalf("reply = %+v", r)
	}
	for i, d := range docs {
		meta := d.Doc["_meta"].(map[string]any)
		if d.Binding != 0 || meta["webhookId"] != fmt.Sprintf("req7/%d", i) || meta["reqPath"] != "/vendors/{vendorId}/orders" ||
			meta["pathParams"].(map[string]any)["vendorId"] != "v 1" || meta["query"].(map[string]any)["src"] != "b" {
			t.Errorf("document %d = %v", i, d.Doc)
		}
	}

	// A literal path wins over a parameter that also matches it.
	replies = h.post(t, "/vendors/all/orders", `{"name":"c"}`)
	docs, _ = h.Checkpoints(t, 1)
	h.Acknowledge(t, 1)
	if r := await(t, replies); r.status != 200 || docs[0].Binding != 1 {
		t.Fatalf("reply %+v, binding %d", r, docs[0].Binding)
	}
}

func TestRefusedRequestsPublishNothing(t *testing.T) {
	h := openHook(t, `{"requireAuthToken":"s3cret"}`, `{"path":"hook","idFromHeader":"X-Id"}`)
	auth := "Bearer s3cret"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"name":`))
	zw.Close()
	cases := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		want                     string
	}{
		{"unknown path", "POST", "/nope", `{}`, []string{"Authorization", auth, "X-Id", "1"}, 404, "not found"},
		{"wrong method", "PUT", "/hook", `{}`, []string{"Authorization", auth, "X-Id", "1"}, 405, "method PUT is not allowed"},
		{"no token", "POST", "/hook", `{"name":"a"}`, []string{"X-Id", "1"}, 401, "missing required header: Authorization"},
		{"wrong token", "POST", "/hook", `{"name":"a"}`, []string{"Authorization", "Bearer nope", "X-Id", "1"}, 403, "invalid authorization token"},
		{"malformed json", "POST", "/hook", `{"name":`, []string{"Authorization", auth, "X-Id", "1"}, 400, "invalid json"},
		{"not an object", "POST", "/hook", `"text"`, []string{"Authorization", auth, "X-Id", "1"}, 400, "invalid json"},
		{"null element", "POST", "/hook", `[{"name":"a"},null]`, []string{"Authorization", auth, "X-Id", "1"}, 400, "array element 1 is null"},
		{"two values", "POST", "/hook", `{"name":"a"} {}`, []string{"Authorization", auth, "X-Id", "1"}, 400, "more than one JSON value"},
		{"missing id header", "POST", "/hook", `{"name":"a"}`, []string{"Authorization", auth}, 400, "missing required header: X-Id"},
		{"_meta not an object", "POST", "/hook", `{"name":"a","_meta":3}`, []string{"Authorization", auth, "X-Id", "1"}, 400, "non-object '_meta'"},
		{"second document invalid", "POST", "/hook", `[{"name":"a"},{"name":2}]`, []string{"Authorization", auth, "X-Id", "1"}, 400, "request body failed validation"},
		{"bad gzip", "POST", "/hook", gz.String(), []string{"Authorization", auth, "X-Id", "1", "Content-Encoding", "gzip"}, 400, "invalid json"},
		{"unknown encoding", "POST", "/hook", `{}`, []string{"Authorization", auth, "X-Id", "1", "Content-Encoding", "br"}, 415, `Content-Encoding "br" is not supported`},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, h.url+tc.path, strings.NewReader(tc.body))
		for i := 0; i < len(tc.headers); i += 2 {
			req.Header.Set(tc.headers[i], tc.headers[i+1])
		}
		r := await(t, send(t, req))
		if got, _ := r.body["error"].(string); r.status != tc.status || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %d %v, want %d %q", tc.name, r.status, r.body, tc.status, tc.want)
		}
	}

	// A body over the limit is refused without being read whole.
	req, _ := http.NewRequest("POST", h.url+"/hook", io.MultiReader(strings.NewReader(`{"name":"`), &repeatReader{n: maxBodyBytes}))
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-Id", "1")
	if r := await(t, send(t, req)); r.status != 413 {
		t.Errorf("oversized body: %d %v", r.status, r.body)
	}

	// None of those published anything: the first document the runtime sees is the next good one.
	replies := h.post(t, "/hook", `{"name":"good"}`, "Authorization", auth, "X-Id", "ok")
	docs, _ := h.Checkpoints(t, 1)
	h.Acknowledge(t, 1)
	if r := await(t, replies); r.status != 200 || len(docs) != 1 || docs[0].Doc["name"] != "good" {
		t.Fatalf("reply %+v, documents %v", r, docs)
	}
}

func TestValidationFailureNamesTheRule(t *testing.T) {
	h := openHook(t, `{}`, `{"path":"/v"}`)
	r := await(t, h.post(t, "/v", `[{"name":"a"},{"other":1}]`))
	out, _ := json.Marshal(r.body)
	if r.status != 400 || r.body["document"] != 1.0 || !strings.Contains(string(out), `"valid":false`) || !strings.Contains(string(out), "name") {
		t.Fatalf("reply %d %s", r.status, out)
	}
}

func TestGzipBodyAndOktaChallenge(t *testing.T) {
	h := openHook(t, `{}`, `{"path":"/z"}`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"name":"zipped"}`))
	zw.Close()
	replies := h.post(t, "/z", gz.String(), "Content-Encoding", "gzip")
	docs, _ := h.Checkpoints(t, 1)
	h.Acknowledge(t, 1)
	if r := await(t, replies); r.status != 200 || docs[0].Doc["name"] != "zipped" {
		t.Fatalf("reply %+v, documents %v", r, docs)
	}
	req, _ := http.NewRequest("GET", h.url+"/z", nil)
	req.Header.Set("X-Okta-Verification", "challenge-1")
	if r := await(t, send(t, req)); r.status != 200 || r.body["verification"] != "challenge-1" {
		t.Fatalf("okta challenge: %+v", r)
	}
}

func TestAcknowledgementsAnswerRequestsInCheckpointOrder(t *testing.T) {
	h := openHook(t, `{}`, `{"path":"/o"}`)
	byName := map[string]<-chan reply{}
	for i := range 6 {
		name := fmt.Sprint("r", i)
		byName[name] = h.post(t, "/o", `{"name":"`+name+`"}`)
	}
	docs, _ := h.Checkpoints(t, 6)
	h.Acknowledge(t, 2)
	for i, d := range docs {
		replies := byName[d.Doc["name"].(string)]
		if i < 2 {
			if r := await(t, replies); r.status != 200 {
				t.Fatalf("request of checkpoint %d: %+v", i, r)
			}
		} else {
			notYet(t, replies)
		}
	}
	h.Acknowledge(t, 4)
	for _, d := range docs[2:] {
		if r := await(t, byName[d.Doc["name"].(string)]); r.status != 200 {
			t.Fatalf("after the second acknowledge: %+v", r)
		}
	}
}

func TestSessionEndFailsUnacknowledgedRequests(t *testing.T) {
	h := openHook(t, `{}`, `{"path":"/s"}`)
	replies := h.post(t, "/s", `{"name":"lost"}`)
	h.Checkpoints(t, 1)
	h.Close()
	if r := await(t, replies); r.status != 500 || !strings.Contains(r.body["error"].(string), "send the request again") {
		t.Fatalf("reply = %+v", r)
	}
	if _, ok := ListenAddr(taskName); ok {
		t.Fatal("the address is still registered after the session ended")
	}
}

// repeatReader yields n bytes of 'a'.
type repeatReader struct{ n int }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = 'a'
	}
	r.n -= k
	return k, nil
}
