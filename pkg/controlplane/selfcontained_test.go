package controlplane

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestCheckSelfContained(t *testing.T) {
	cases := []struct {
		name string
		t    api.SpecType
		spec string
		want []string // pointers of the errors
	}{
		{"inline everything", api.Collection, `{"schema":{"type":"object","$defs":{"a":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/a"}}},"key":["/a"]}`, nil},
		{"schema file", api.Collection, `{"schema":"orders.schema.yaml","key":["/a"]}`, []string{"/schema"}},
		{"server file in $ref", api.Collection, `{"schema":{"$ref":"file:///etc/passwd"},"key":["/a"]}`, []string{"/schema"}},
		{"relative $ref without base", api.Collection, `{"readSchema":{"$ref":"other.yaml#/x"},"writeSchema":{"type":"object"},"key":["/a"]}`, []string{"/readSchema"}},
		{"http $ref", api.Collection, `{"schema":{"allOf":[{"$ref":"http://169.254.169.254/latest"}]},"key":["/a"]}`, []string{"/schema"}},
		{"bundled $ref", api.Collection, `{"schema":{"$id":"file:///src/a.yaml","properties":{"c":{"$ref":"sub/c.yaml#/x"}},
			"$defs":{"file:///src/sub/c.yaml":{"$id":"file:///src/sub/c.yaml","x":{"type":"string"}}}},"key":["/c"]}`, nil},
		// The loader takes no $id from data keywords (const, enum, default, examples), so neither may the check.
		{"$id hidden in const", api.Collection, `{"schema":{"const":{"$id":"file:///etc/passwd"},"properties":{"a":{"$ref":"file:///etc/passwd#/x"}}},"key":["/a"]}`, []string{"/schema"}},
		{"$id hidden in examples", api.Collection, `{"schema":{"examples":[{"$id":"http://10.0.0.1/x"}],"$ref":"http://10.0.0.1/x"},"key":["/a"]}`, []string{"/schema"}},
		{"flow:// refs", api.Collection, `{"readSchema":{"allOf":[{"$ref":"flow://relaxed-write-schema"},{"$ref":"flow://inferred-schema"}]},"writeSchema":{},"key":["/a"]}`, nil},
		{"config file", api.Capture, `{"endpoint":{"connector":{"image":"x","config":"/etc/shadow"}},"bindings":[{"resource":"r.yaml","target":"a/b"}]}`,
			[]string{"/endpoint/connector/config", "/bindings/0/resource"}},
		{"inline SQL with spaces", api.Collection, `{"schema":{},"key":["/a"],"derive":{"using":{"sqlite":{"migrations":["CREATE TABLE x (y);","m.sql"]}},
			"transforms":[{"name":"t","source":"a/b","shuffle":{"lambda":"l.sql"},"lambda":"SELECT 1;"}]}}`,
			[]string{"/derive/using/sqlite/migrations/1", "/derive/transforms/0/shuffle/lambda"}},
		{"test documents file", api.Test, `[{"ingest":{"collection":"a/b","documents":"docs.json"}}]`, []string{"/0/ingest/documents"}},
		{"test documents inline", api.Test, `{"steps":[{"verify":{"collection":"a/b","documents":[]}}]}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, v, err := canonicalSpec([]byte(tc.spec), tc.t)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range checkSelfContained("a/spec", tc.t, v) {
				got = append(got, e.Pointer)
				if e.CatalogName != "a/spec" || e.Message == "" {
					t.Errorf("error lacks its spec or message: %+v", e)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("errors at %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSpecOfPointer(t *testing.T) {
	for _, tc := range []struct{ in, name, inner string }{
		{"/collections/acmeCo~1orders/key/0", "acmeCo/orders", "/key/0"},
		{"/tests/a~1b~0c", "a/b~c", ""},
		{"/collections", "", "/collections"},
		{"", "", ""},
	} {
		if name, inner := specOfPointer(tc.in); name != tc.name || inner != tc.inner {
			t.Errorf("specOfPointer(%q) = %q, %q; want %q, %q", tc.in, name, inner, tc.name, tc.inner)
		}
	}
}

// TestBuildReadsNoServerFile builds specs that reference a file of the server's disk in ways the
// self-contained check must catch: the build must refuse them without the loader ever reading it.
func TestBuildReadsNoServerFile(t *testing.T) {
	secret := filepath.ToSlash(filepath.Join(t.TempDir(), "secret.yaml"))
	if err := os.WriteFile(secret, []byte("token: hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, schema := range []string{
		`{"$ref":"file://` + secret + `#/token"}`,
		`{"const":{"$id":"file://` + secret + `"},"properties":{"a":{"$ref":"file://` + secret + `#/token"}}}`,
		`{"default":{"$id":"file://` + secret + `"},"$ref":"file://` + secret + `"}`,
	} {
		_, v, err := canonicalSpec([]byte(`{"schema":`+schema+`,"key":["/a"]}`), api.Collection)
		if err != nil {
			t.Fatal(err)
		}
		errs := CatalogBuilder{}.Build(context.Background(), map[string]BuildSpec{"a/b": {Type: api.Collection, Spec: v}}, []string{"a/b"})
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "points outside the spec") {
			t.Errorf("schema %s: got %+v, want one error saying the $ref points outside the spec", schema, errs)
		}
	}
}

// TestBuildErrorsHideServerPaths: messages quote the temporary build file as a URL or as a path;
// neither may reach the user.
func TestBuildErrorsHideServerPaths(t *testing.T) {
	_, v, err := canonicalSpec([]byte(`{"schema":{"type":["object","array"],"properties":{"a":{"type":"string"}}},"key":["/a"]}`), api.Collection)
	if err != nil {
		t.Fatal(err)
	}
	errs := CatalogBuilder{}.Build(context.Background(), map[string]BuildSpec{"a/b": {Type: api.Collection, Spec: v}}, []string{"a/b"})
	if len(errs) == 0 {
		t.Fatal("a schema whose root accepts arrays built without error")
	}
	for _, e := range errs {
		if strings.Contains(e.Message, "flowd-build-") || strings.Contains(e.Message, os.TempDir()+"/") {
			t.Errorf("message names the server's temporary file: %s", e.Message)
		}
	}
}
