package httpingest

import (
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

func TestSpec(t *testing.T) {
	resp, err := capturetest.Unary(t, Image+":dev", &connector.CaptureRequest{Spec: &connector.SpecRequest{}})
	if err != nil || resp.Spec == nil {
		t.Fatalf("spec: %v %v", resp, err)
	}
	if resp.Spec.ResourcePathPointers[0] != "/stream" || resp.Spec.DocumentationURL != "https://go.estuary.dev/http-ingest" ||
		!json.Valid(resp.Spec.ConfigSchema) || !json.Valid(resp.Spec.ResourceConfigSchema) {
		t.Fatalf("spec = %+v", resp.Spec)
	}
}

func TestDiscover(t *testing.T) {
	discover := func(config string) *connector.Discovered {
		t.Helper()
		resp, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Discover: &connector.Discover{Config: json.RawMessage(config)}})
		if err != nil {
			t.Fatalf("discover %s: %v", config, err)
		}
		return resp.Discovered
	}
	// Without paths: Flow's backwards-compatible binding, receiving at its collection's name.
	b := discover(`{}`).Bindings[0]
	if b.RecommendedName != "webhook-data" || b.ResourcePath[0] != "webhook-data" || b.Key[0] != "/_meta/webhookId" || !b.IsFallbackKey ||
		string(b.ResourceConfig) != `{"stream":null,"path":null,"idFromHeader":null}` {
		t.Fatalf("default binding = %+v (%s)", b, b.ResourceConfig)
	}
	var schema struct {
		Properties struct {
			Meta struct {
				Required []string `json:"required"`
			} `json:"_meta"`
		} `json:"properties"`
		Infer bool `json:"x-infer-schema"`
	}
	if err := json.Unmarshal(b.DocumentSchema, &schema); err != nil || !schema.Infer ||
		strings.Join(schema.Properties.Meta.Required, ",") != "webhookId,receivedAt" {
		t.Fatalf("schema %s (%v)", b.DocumentSchema, err)
	}

	got := discover(`{"paths":["/foo","/bar/{id}"]}`).Bindings
	if len(got) != 2 || got[0].RecommendedName != "foo" || got[1].RecommendedName != "bar/{id}" || got[1].ResourcePath[0] != "/bar/{id}" ||
		string(got[0].ResourceConfig) != `{"stream":"/foo","path":"/foo","idFromHeader":null}` {
		t.Fatalf("bindings with paths = %+v", got)
	}
	if !strings.Contains(string(got[1].DocumentSchema), `"required":["webhookId","receivedAt","pathParams"]`) ||
		!strings.Contains(string(got[1].DocumentSchema), `"required":["id"]`) {
		t.Fatalf("path parameter schema = %s", got[1].DocumentSchema)
	}
}

func TestValidate(t *testing.T) {
	validate := func(config string, resources ...string) (*connector.CaptureValidated, error) {
		req := &connector.CaptureValidate{Name: taskName, Config: json.RawMessage(config)}
		for i, r := range resources {
			req.Bindings = append(req.Bindings, connector.CaptureValidateBinding{ResourceConfig: json.RawMessage(r),
				Collection: connector.CollectionSpec{Name: "acmeCo/c" + string(rune('0'+i))}})
		}
		resp, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Validate: req})
		if err != nil {
			return nil, err
		}
		return resp.Validated, nil
	}
	got, err := validate(`{"paths":["/a"]}`, `{"stream":"/a","path":"/a"}`, `{}`, `{"stream":null,"path":null,"idFromHeader":"X-Id"}`)
	if err != nil || len(got.Bindings) != 3 || got.Bindings[0].ResourcePath[0] != "/a" || got.Bindings[1].ResourcePath[0] != "webhook-data" {
		t.Fatalf("validate = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		config    string
		resources []string
		want      string
	}{
		{`{"paths":["/a","/b"]}`, []string{`{"path":"/a"}`}, "endpoint config contains paths [/b], which are not represented"},
		{`{}`, []string{`{"path":"/x/{a}"}`, `{"path":"/x/{b}"}`}, "paths /x/{a} and /x/{b} both match requests for the same URLs"},
		{`{}`, []string{`{"path":"/x"}`, `{"path":"x"}`}, "paths /x and /x both match"},
		{`{}`, []string{`{"route":"/x"}`}, `unknown field "route"`},
		{`{"paths":["nope"]}`, nil, `path "nope" must start with /`},
		{`{"port":70000}`, nil, "port 70000 is not between 0 and 65535"},
		{`{"requireAuthToken":5}`, nil, "invalid source-http-ingest config"},
	} {
		_, err := validate(tc.config, tc.resources...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.config, tc.resources, err, tc.want)
		}
	}
}

func TestPort(t *testing.T) {
	port := func(n int) *int { return &n }
	for _, tc := range []struct {
		env  string // "-" leaves the variable unset
		cfg  *int
		want int
		err  string
	}{
		{"-", nil, 8080, ""},
		{"-", port(9000), 9000, ""},
		{"7000", port(9000), 7000, ""},
		{"0", nil, 0, ""},
		{"http", nil, 0, `SOURCE_HTTP_INGEST_PORT="http" is not a port number`},
		{"99999", nil, 0, "is not a port number"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			if tc.env == "-" {
				t.Setenv(PortEnv, "")
				os.Unsetenv(PortEnv) // t.Setenv above restores it after the test
			} else {
				t.Setenv(PortEnv, tc.env)
			}
			got, err := config{Port: tc.cfg}.port()
			if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("port = %d, %v; want %d, %q", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestPortInUseIsAClearError(t *testing.T) {
	openHook(t, `{}`, `{"path":"/p"}`)
	addr, _ := ListenAddr(taskName)
	port := strconv.Itoa(addr.(*net.TCPAddr).Port)
	t.Setenv(PortEnv, port)
	spec := &connector.CaptureSpec{Name: "acmeCo/second", Config: json.RawMessage(`{}`), Bindings: []connector.CaptureBinding{{
		ResourceConfig: json.RawMessage(`{}`), ResourcePath: []string{"x"}, Collection: connector.CollectionSpec{Name: "acmeCo/x"}}}}
	s, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Open: &connector.CaptureOpen{Capture: spec, Range: &connector.FullRange}})
	if err == nil || !strings.Contains(err.Error(), "listening on port "+port) {
		t.Fatalf("second capture on a taken port: %v %v", s, err)
	}
}

func TestRoutes(t *testing.T) {
	for _, tc := range []struct {
		route, path string
		params      string
		ok          bool
	}{
		{"/a/b", "/a/b", "", true},
		{"/a/b", "/a/b/", "", false},
		{"/a/{x}", "/a/1", "x=1", true},
		{"/a/{x}", "/a/", "", false},
		{"/a/{x}", "/a/1/2", "", false},
		{"/{x}/b/{y}", "/1/b/2", "x=1 y=2", true},
		{"/{x}/b/{y}", "/1/c/2", "", false},
		{"/a/{}", "/a/{}", "", true}, // "{}" names no parameter, so it is literal
	} {
		params, ok := newRoute(tc.route).match(tc.path)
		var got []string
		for _, name := range []string{"x", "y"} {
			if v, has := params[name]; has {
				got = append(got, name+"="+v)
			}
		}
		if ok != tc.ok || strings.Join(got, " ") != tc.params {
			t.Errorf("%s matching %s: %v %v, want %v %q", tc.route, tc.path, got, ok, tc.ok, tc.params)
		}
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newUUID()
		if !uuidPattern.MatchString(id) || seen[id] {
			t.Fatalf("uuid %q (seen %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func FuzzParseBody(f *testing.F) {
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(` [{"a":[1,{"b":null}]},{}]`))
	f.Add([]byte(`[null]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		objects, isArray, err := parseBody(body)
		if err != nil {
			if _, ok := err.(*requestError); !ok {
				t.Fatalf("error %v is not a request error", err)
			}
			return
		}
		if !isArray && len(objects) != 1 {
			t.Fatalf("a single object parsed into %d documents", len(objects))
		}
		for i, o := range objects {
			if o == nil {
				t.Fatalf("document %d is nil", i)
			}
			if _, err := json.Marshal(o); err != nil {
				t.Fatalf("document %d cannot be encoded: %v", i, err)
			}
		}
	})
}
