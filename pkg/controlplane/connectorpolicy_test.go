package controlplane

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile" // the built-ins the policy allows
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestConnectorPolicy(t *testing.T) {
	strict := ConnectorPolicy{FileRoots: []string{"/srv/flowd/files"}}
	capture := func(endpoint, resource string) string {
		return `{"endpoint":` + endpoint + `,"bindings":[{"resource":` + resource + `,"target":"a/b"}]}`
	}
	sourceFile := func(path string) string {
		return `{"connector":{"image":"ghcr.io/flowctl/source-file:v1","config":{"path":"` + path + `"}}}`
	}
	cases := []struct {
		name   string
		policy ConnectorPolicy
		t      api.SpecType
		spec   string
		want   []string // "pointer: words of the message"
	}{
		{"built-in under the root", strict, api.Capture, capture(sourceFile("/srv/flowd/files/in/*.csv"), `{"stream":"s"}`), nil},
		{"local command refused", strict, api.Capture, capture(`{"local":{"command":["sh","-c","id"]}}`, `{}`),
			[]string{"/endpoint/local: does not run `local:` commands"}},
		{"local command allowed by the operator", ConnectorPolicy{AllowLocal: true}, api.Capture, capture(`{"local":{"command":["x"]}}`, `{}`), nil},
		{"docker image refused", strict, api.Materialization, `{"endpoint":{"connector":{"image":"evil/image:1","config":{}}},"bindings":[]}`,
			[]string{`/endpoint/connector/image: does not run connector image "evil/image:1"`}},
		{"docker image allowed by the operator", ConnectorPolicy{Images: []string{"evil/image"}}, api.Materialization,
			`{"endpoint":{"connector":{"image":"evil/image:1","config":{}}},"bindings":[]}`, nil},
		{"sqlite outside the root", strict, api.Materialization,
			`{"endpoint":{"connector":{"image":"ghcr.io/estuary/materialize-sqlite:dev","config":{"path":"/etc/cron.d/x"}}},"bindings":[]}`,
			[]string{`/endpoint/connector/config/path: is outside the directories`}},
		{"sqlite file:// outside the root", strict, api.Materialization,
			`{"endpoint":{"connector":{"image":"ghcr.io/estuary/materialize-sqlite","config":{"path":"file:///root/x.db"}}},"bindings":[]}`,
			[]string{`/endpoint/connector/config/path: is outside the directories`}},
		{"relative path", strict, api.Capture, capture(sourceFile("in.csv"), `{"stream":"s"}`),
			[]string{`/endpoint/connector/config/path: is relative`}},
		{"dot-dot after a glob", strict, api.Capture, capture(sourceFile("/srv/flowd/files/*/../../../etc/passwd"), `{"stream":"s"}`),
			[]string{"/endpoint/connector/config/path: has a `..` component"}},
		{"sibling with the root as prefix", strict, api.Capture, capture(sourceFile("/srv/flowd/files-other/x.csv"), `{"stream":"s"}`),
			[]string{`/endpoint/connector/config/path: is outside the directories`}},
		{"the root itself", strict, api.Capture, capture(sourceFile("/srv/flowd/files"), `{"stream":"s"}`),
			[]string{`/endpoint/connector/config/path: is outside the directories`}},
		{"resource path outside", strict, api.Capture, capture(sourceFile("/srv/flowd/files/a.csv"), `{"stream":"s","path":"/home/u/.ssh/id_rsa"}`),
			[]string{`/bindings/0/resource/path: is outside the directories`}},
		{"no roots: no paths", ConnectorPolicy{}, api.Capture, capture(sourceFile("/srv/flowd/files/a.csv"), `{"stream":"s"}`),
			[]string{`/endpoint/connector/config/path: allows connectors no files`}},
		{"paths of other connectors are theirs", strict, api.Capture,
			capture(`{"connector":{"image":"ghcr.io/estuary/source-hello-world","config":{"path":"/etc"}}}`, `{"path":"/etc"}`), nil},
		{"derivation with a local command", strict, api.Collection, `{"schema":{},"key":["/a"],"derive":{"using":{"local":{"command":["x"]}},"transforms":[]}}`,
			[]string{"/derive/using/local: does not run `local:` commands"}},
		{"derivation with an image", strict, api.Collection, `{"schema":{},"key":["/a"],"derive":{"using":{"connector":{"image":"x/y","config":{}}},"transforms":[]}}`,
			[]string{`/derive/using/connector/image: does not run connector image "x/y"`}},
		{"sqlite derivation", strict, api.Collection, `{"schema":{},"key":["/a"],"derive":{"using":{"sqlite":{}},"transforms":[]}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, v, err := canonicalSpec([]byte(tc.spec), tc.t)
			if err != nil {
				t.Fatal(err)
			}
			errs := tc.policy.Check("a/task", tc.t, v)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors %+v, want %v", len(errs), errs, tc.want)
			}
			for i, e := range errs {
				ptr, words, _ := strings.Cut(tc.want[i], ": ")
				if e.CatalogName != "a/task" || e.Pointer != ptr || !strings.Contains(e.Message, words) {
					t.Errorf("error %d = %+v, want %s", i, e, tc.want[i])
				}
			}
		})
	}
}

// TestPublishRefusesLocalConnector: the default control plane must not let a write grant become
// a way to run commands on the server.
func TestPublishRefusesLocalConnector(t *testing.T) {
	s, err := OpenStore(context.Background(), filepath.Join(t.TempDir(), "flowd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cp := New(s, nil)
	alice := principal(t, s, "alice", "acmeCo/=admin")
	_, err = publish(t, cp, alice,
		api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")},
		api.DraftSpec{CatalogName: "acmeCo/pwn", SpecType: api.Capture, Spec: spec(t,
			`{"endpoint":{"local":{"command":["sh","-c","touch /tmp/pwned"],"config":{}}},"bindings":[{"resource":{},"target":"acmeCo/orders"}]}`)})
	got := details(err)
	if len(got) != 1 || got[0].CatalogName != "acmeCo/pwn" || got[0].Pointer != "/endpoint/local" {
		t.Fatalf("publish: %v %+v, want one error at acmeCo/pwn /endpoint/local", err, got)
	}
	if names := liveNames(t, s); len(names) != 0 {
		t.Errorf("live specs after a refused publication: %v", names)
	}
}
