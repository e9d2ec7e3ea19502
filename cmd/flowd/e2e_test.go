package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/draft"
)

// listing is what `catalog list -o json` shows a user: name -> last publication.
func listing(t *testing.T, u *user) map[string]string {
	t.Helper()
	r := u.mustRun("catalog", "list", "-o", "json")
	var specs []api.LiveSpec
	if err := json.Unmarshal([]byte(r.stdout), &specs); err != nil {
		t.Fatalf("catalog list -o json: %v\n%s", err, r.stdout)
	}
	out := map[string]string{}
	for _, s := range specs {
		out[s.CatalogName] = s.LastPubID
	}
	return out
}

func TestEndToEndPublishPullAndRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		r := alice.mustRun("auth", "status")
		if !strings.Contains(r.stdout, "user: alice") || !strings.Contains(r.stdout, "grant: admin acmeCo/") {
			t.Errorf("auth status:\n%s", r.stdout)
		}
		if info, err := os.Stat(filepath.Join(alice.configDir, "default.json")); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("profile file: %v %v", info, err)
		}

		// Without a terminal and without --auto-approve, publishing is refused and says why.
		alice.expect(2, []string{"catalog", "publish", "--source", testdata("alice", "flow.yaml")},
			"standard input is not a terminal", "--auto-approve")
		if got := listing(t, alice); len(got) != 0 {
			t.Fatalf("a refused publish published %v", got)
		}
		r = alice.expect(0, []string{"catalog", "publish", "--source", testdata("alice", "flow.yaml"), "--auto-approve"},
			"+ added     collection acmeCo/orders", "Plan: 4 to add, 0 to change, 0 to delete")
		live := listing(t, alice)
		if len(live) != 4 {
			t.Fatalf("live after publishing: %v", live)
		}

		// Publishing the same catalog again changes nothing.
		alice.expect(0, []string{"catalog", "publish", "--source", testdata("alice", "flow.yaml"), "--auto-approve"},
			"Nothing to publish")
		if got := listing(t, alice); !reflect.DeepEqual(got, live) {
			t.Errorf("an unchanged publish changed live specs: %v -> %v", live, got)
		}

		// A publication with errors changes nothing and names each spec, where, and why.
		alice.expect(1, []string{"catalog", "publish", "--source", testdata("alice", "rekey.flow.yaml"), "--auto-approve"},
			"acmeCo/orders#/key: the key of existing collection acmeCo/orders cannot change",
			"acmeCo/warehouse#/bindings/0/backfill: `backfill` counters may only increase")
		if got := listing(t, alice); !reflect.DeepEqual(got, live) {
			t.Errorf("a failed publish changed live specs: %v -> %v", live, got)
		}
		if r := alice.mustRun("draft", "list", "-o", "json"); strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("failed publishes left drafts behind: %s", r.stdout)
		}

		// pull-specs writes a tree that re-pulls byte for byte and protects local edits.
		target := t.TempDir()
		alice.mustRun("catalog", "pull-specs", "--prefix", "acmeCo/", "--target", target)
		for _, f := range []string{"flow.yaml", "acmeCo/flow.yaml", "acmeCo/orders.schema.yaml", "acmeCo/tests/flow.yaml"} {
			if _, err := os.Stat(filepath.Join(target, f)); err != nil {
				t.Errorf("pull-specs did not write %s: %v", f, err)
			}
		}
		before, _ := os.ReadFile(filepath.Join(target, "acmeCo", "flow.yaml"))
		alice.mustRun("catalog", "pull-specs", "--prefix", "acmeCo/", "--target", target)
		if after, _ := os.ReadFile(filepath.Join(target, "acmeCo", "flow.yaml")); string(after) != string(before) {
			t.Error("re-pulling changed acmeCo/flow.yaml")
		}
		if err := os.WriteFile(filepath.Join(target, "acmeCo", "flow.yaml"), append(before, "# local note\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		alice.expect(1, []string{"catalog", "pull-specs", "--prefix", "acmeCo/", "--target", target}, "acmeCo/flow.yaml", "--overwrite")
		alice.mustRun("catalog", "pull-specs", "--prefix", "acmeCo/", "--target", target, "--overwrite")
		// The pulled tree publishes as it is: nothing changed.
		alice.expect(0, []string{"catalog", "publish", "--source", filepath.Join(target, "flow.yaml"), "--auto-approve"}, "Nothing to publish")

		// History and deletion.
		alice.expect(0, []string{"catalog", "delete", "--name", "acmeCo/tests/totals", "--dangerous-auto-approve"}, "Deleted 1 spec(s)")
		r = alice.mustRun("catalog", "history", "--name", "acmeCo/tests/totals")
		if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "deleted") {
			t.Errorf("history:\n%s", r.stdout)
		}
		alice.expect(1, []string{"catalog", "delete", "--name", "acmeCo/orders", "--dangerous-auto-approve"},
			"deleted acmeCo/orders is still referenced by acmeCo/totals")
	})
}

func TestEndToEndUsersAreConfinedToTheirGrants(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		bob := e.user("bob", "bobCo/=admin")
		alice.mustRun("catalog", "publish", "--source", testdata("alice", "flow.yaml"), "--auto-approve")
		bob.mustRun("catalog", "publish", "--source", testdata("bob", "flow.yaml"), "--auto-approve")

		if got := listing(t, bob); !reflect.DeepEqual(got, map[string]string{"bobCo/events": got["bobCo/events"]}) {
			t.Errorf("bob lists %v", got)
		}
		for name := range listing(t, alice) {
			if strings.HasPrefix(name, "bobCo/") {
				t.Errorf("alice lists bob's %s", name)
			}
		}
		for _, tc := range []struct {
			args  []string
			code  int
			wants []string
		}{
			{[]string{"catalog", "history", "--name", "acmeCo/orders"}, 2, []string{"no read grant"}},
			{[]string{"catalog", "pull-specs", "--prefix", "acmeCo/", "--target", t.TempDir()}, 1, []string{"no live specs you can read"}},
			{[]string{"catalog", "pull-specs", "--name", "acmeCo/orders", "--target", t.TempDir()}, 1, []string{"no live specs you can read"}},
			{[]string{"catalog", "publish", "--source", testdata("bob", "intrude.flow.yaml"), "--auto-approve"}, 2, []string{"no write grant"}},
			{[]string{"catalog", "publish", "--source", testdata("bob", "reads-alice.flow.yaml"), "--auto-approve"}, 2, []string{"no read grant"}},
			{[]string{"catalog", "delete", "--prefix", "acmeCo/", "--dangerous-auto-approve"}, 1, []string{"no live specs you can read"}},
		} {
			r := bob.expect(tc.code, tc.args, tc.wants...)
			if strings.Contains(r.stdout+r.stderr, "acmeCo/totals") || strings.Contains(r.stdout+r.stderr, "acmeCo/warehouse") {
				t.Errorf("flowctl %v leaks alice's names:\n%s%s", tc.args, r.stdout, r.stderr)
			}
		}
		// Drafts are private too.
		r := alice.mustRun("draft", "create")
		aliceDraft := strings.TrimSpace(r.stdout)
		bob.expect(2, []string{"draft", "select", "--id", aliceDraft}, "you have no draft")
		bob.mustRun("draft", "create")
		bob.expect(2, []string{"draft", "author", "--source", testdata("bob", "intrude.flow.yaml")}, "no write grant")
		if got := listing(t, alice); len(got) != 4 {
			t.Errorf("bob's attempts changed alice's specs: %v", got)
		}
		// A read grant lets bob list and pull alice's specs, and still not change them.
		if out, err := exec.Command(filepath.Join(binDir, "flowd"), "admin", "grant", "bob", "--database", e.database,
			"--grant", "acmeCo/=read").CombinedOutput(); err != nil {
			t.Fatalf("flowd admin grant: %v\n%s", err, out)
		}
		if got := listing(t, bob); len(got) != 5 {
			t.Errorf("with a read grant bob lists %v", got)
		}
		bob.mustRun("catalog", "pull-specs", "--prefix", "acmeCo/", "--target", t.TempDir())
		bob.expect(2, []string{"catalog", "publish", "--source", testdata("bob", "intrude.flow.yaml"), "--auto-approve"}, "no write grant")
	})
}

func TestEndToEndDraftWorkflowSurvivesRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=write")
		id := strings.TrimSpace(alice.mustRun("draft", "create", "--detail", "first").stdout)
		alice.mustRun("draft", "author", "--source", testdata("alice", "flow.yaml"))
		alice.expect(0, []string{"draft", "test"}, "The draft builds: 4 spec(s) would be published", "1 test(s) passed")

		e.restart() // a new process over the same database: the draft is still there
		r := alice.mustRun("draft", "list")
		if !strings.Contains(r.stdout, "*\t"+id+"\t4\t") {
			t.Fatalf("after a restart, draft list shows:\n%s", r.stdout)
		}
		developed := t.TempDir()
		alice.mustRun("draft", "develop", "--target", developed)
		if b, err := os.ReadFile(filepath.Join(developed, "acmeCo", "flow.yaml")); err != nil || !strings.Contains(string(b), "acmeCo/totals:") {
			t.Errorf("draft develop wrote %s, %v", b, err)
		}
		alice.expect(2, []string{"draft", "publish"}, "--auto-approve")
		alice.expect(0, []string{"draft", "publish", "--auto-approve"}, "Published 4 spec(s)")
		live := listing(t, alice)

		e.restart()
		if got := listing(t, alice); !reflect.DeepEqual(got, live) {
			t.Errorf("after a restart, live specs %v, want %v", got, live)
		}
		alice.expect(2, []string{"draft", "publish", "--auto-approve"}, "no draft is selected")
	})
}

func TestEndToEndConcurrentPublications(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		alice.mustRun("catalog", "publish", "--source", testdata("alice", "flow.yaml"), "--auto-approve")
		ctx := context.Background()
		cl, err := draft.NewClient(draft.Profile{APIURL: e.url, Token: alice.token})
		if err != nil {
			t.Fatal(err)
		}
		live, err := cl.LiveSpecs(ctx, draft.LiveFilter{Names: []string{"acmeCo/orders"}, WithSpec: true})
		if err != nil || len(live) != 1 {
			t.Fatal(live, err)
		}
		const n = 3
		ids := make([]string, n)
		for i := range ids {
			d, err := cl.CreateDraft(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = d.ID
			spec := strings.Replace(string(live[0].Spec), `"type":"object"`, `"type":"object","title":"v`+string(rune('a'+i))+`"`, 1)
			if _, err := cl.UpsertSpecs(ctx, d.ID, []api.DraftSpec{{CatalogName: "acmeCo/orders", SpecType: api.Collection,
				Spec: json.RawMessage(spec), ExpectPubID: live[0].LastPubID}}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range ids {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = cl.Publish(ctx, ids[i], api.PublishRequest{}) }()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if !strings.Contains(err.Error(), "expected publication ID") {
				t.Errorf("a losing publication failed for another reason: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d of %d concurrent publications won, want 1: %v", wins, n, errs)
		}
	})
}

func TestEndToEndBadRequestsChangeNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.stop()
		e.start([]string{"--max-body-bytes", "65536"})
		alice := e.user("alice", "acmeCo/=admin")
		alice.mustRun("catalog", "publish", "--source", testdata("bob", "intrude.flow.yaml"), "--auto-approve")
		d := strings.TrimSpace(alice.mustRun("draft", "create").stdout)
		snapshot := func() string {
			return alice.mustRun("catalog", "list", "-o", "json").stdout + alice.mustRun("draft", "list", "-o", "json").stdout
		}
		before := snapshot()
		specsURL := "/api/v1/drafts/" + d + "/specs"
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
		}{
			{"malformed JSON", "PUT", specsURL, `{"specs": [{"catalogName": `, 400},
			{"unknown field", "PUT", specsURL, `{"specs": [], "sneaky": true}`, 400},
			{"unknown nested field", "PUT", specsURL, `{"specs": [{"catalogName": "acmeCo/x", "specType": "collection", "spec": {}, "extra": 1}]}`, 400},
			{"huge body", "PUT", specsURL, `{"specs":[{"catalogName":"acmeCo/x","specType":"collection","spec":{"pad":"` + strings.Repeat("x", 70000) + `"}}]}`, 413},
			{"traversal in name", "PUT", specsURL, `{"specs":[{"catalogName":"acmeCo/../../../etc/passwd","specType":"collection","spec":{}}]}`, 400},
			{"traversal in draft id", "PUT", "/api/v1/drafts/..%2F..%2F" + d + "/specs", `{"specs":[]}`, 404},
			{"traversal in prefix", "GET", "/api/v1/live-specs?prefix=..%2F", "", 400},
			{"publish: unknown field", "POST", "/api/v1/drafts/" + d + "/publish", `{"dryRun": false, "force": true}`, 400},
			{"publish an empty draft", "POST", "/api/v1/drafts/" + d + "/publish", `{}`, 400},
			{"not JSON", "POST", "/api/v1/drafts", "\x00\x01\x02", 400},
		} {
			req, _ := http.NewRequest(tc.method, e.url+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+alice.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var body api.ErrorBody
			if resp.StatusCode != tc.status || json.Unmarshal(raw, &body) != nil || body.Error.Code == "" || body.Error.Message == "" {
				t.Errorf("%s: got %d %s, want %d with {error: {code, message}}", tc.name, resp.StatusCode, raw, tc.status)
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("bad requests changed the database:\n%s\n->\n%s", before, after)
		}
	})
}
