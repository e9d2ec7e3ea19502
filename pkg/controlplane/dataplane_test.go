package controlplane

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/flowctl/flowctl/pkg/connector/capture/helloworld"
	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestParseReadQuery(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query   string
		wantErr string
		check   func(readRequest) bool
	}{
		{"name=acmeCo/orders", "", func(r readRequest) bool { return r.name == "acmeCo/orders" && !r.follow && r.notBefore.IsZero() }},
		{"name=acmeCo/orders&follow=true&since=90s", "", func(r readRequest) bool {
			return r.follow && r.notBefore.Equal(now.Add(-90*time.Second))
		}},
		{`name=a/b&partitions={"include":{"region":["EU"]}}`, "", func(r readRequest) bool { return len(r.selector.Include["region"]) == 1 }},
		{"", "name:", nil},
		{"name=acmeCo/../etc", "name:", nil},
		{"name=a/b&partitions={", "partitions:", nil},
		{"name=a/b&since=-1m", "positive duration", nil},
		{"name=a/b&since=yesterday", "positive duration", nil},
		{"name=a/b&follow=maybe", "follow must be true or false", nil},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		req, err := parseReadQuery(q, now)
		var apiErr *Error
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.query, err)
		case tc.wantErr == "" && !tc.check(req):
			t.Errorf("%q: parsed %+v", tc.query, req)
		case tc.wantErr != "" && (!errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want a 400 containing %q", tc.query, err, tc.wantErr)
		}
	}
}

func FuzzParseReadQuery(f *testing.F) {
	for _, seed := range []string{"name=acmeCo/orders", "name=a/b&follow=1&since=1h", `name=a/b&partitions={"exclude":{"x":[1,null]}}`, "name=%00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, err := parseReadQuery(q, time.Now())
		var apiErr *Error
		if err != nil && (!errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest) {
			t.Fatalf("%q: %v is not a bad request", raw, err)
		}
		if err == nil && api.ValidateName(req.name) != nil {
			t.Fatalf("%q: accepted invalid name %q", raw, req.name)
		}
	})
}

// TestDataPlaneRoutesRefuse checks the data plane's routes refuse without leaking: no token, a wrong
// method, no grant (the same answer whether or not the collection exists), and bad parameters.
func TestDataPlaneRoutesRefuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx, cancel := context.WithCancel(context.Background())
		d, err := StartDataPlane(ctx, s, DataPlaneOptions{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); _ = d.Wait() })
		alice := tokenOf(t, s, "alice", "acmeCo/=admin")
		bob := tokenOf(t, s, "bob", "bobCo/=admin")
		srv := httptest.NewServer(New(s, nil).DataPlaneHandler(d))
		defer srv.Close()
		for _, tc := range []struct {
			method, path, token string
			status              int
			code                string
		}{
			{"GET", "/api/v1/collections/read?name=acmeCo/orders", "", 401, api.CodeUnauthorized},
			{"POST", "/api/v1/collections/read?name=acmeCo/orders", alice, 405, api.CodeNotAllowed},
			{"GET", "/api/v1/collections/read?name=acmeCo/orders", bob, 403, api.CodeForbidden},
			{"GET", "/api/v1/collections/read?name=acmeCo/never-published", bob, 403, api.CodeForbidden},
			{"GET", "/api/v1/collections/read?name=acmeCo/never-published", alice, 404, api.CodeNotFound},
			{"GET", "/api/v1/collections/read?name=acmeCo/orders&since=soon", alice, 400, api.CodeBadRequest},
			{"GET", "/api/v1/tasks", "", 401, api.CodeUnauthorized},
			{"DELETE", "/api/v1/tasks", alice, 405, api.CodeNotAllowed},
		} {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body api.ErrorBody
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || body.Error.Code != tc.code {
				t.Errorf("%s %s: %d %+v, want %d %s", tc.method, tc.path, resp.StatusCode, body.Error, tc.status, tc.code)
			}
			if tc.token == bob && strings.Contains(body.Error.Message, "live") {
				t.Errorf("%s %s tells bob whether the collection exists: %s", tc.method, tc.path, body.Error.Message)
			}
		}
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/tasks", nil)
		req.Header.Set("Authorization", "Bearer "+alice)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st DataPlaneStatus
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Tasks == nil || len(st.Tasks) != 0 {
			t.Errorf("tasks of an empty catalog: %+v %v", st, err)
		}
	})
}

// tokenOf creates a user with grants "PREFIX=CAP" and returns its API token.
func tokenOf(t testing.TB, s *Store, user string, grants ...string) string {
	t.Helper()
	var gs []api.Grant
	for _, g := range grants {
		prefix, capability, _ := cut(g)
		gs = append(gs, api.Grant{Prefix: prefix, Capability: capability})
	}
	tok, err := s.CreateUser(context.Background(), user, gs)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Secret
}

// greetingsCapture is a source-hello-world capture of rate greetings a second into collection.
func greetingsCapture(collection string, rate int) json.RawMessage {
	return mustJSON(map[string]any{
		"endpoint": map[string]any{"connector": map[string]any{"image": "ghcr.io/estuary/source-hello-world:dev",
			"config": map[string]any{"rate": rate}}},
		"bindings": []any{map[string]any{"resource": map[string]any{"name": "greetings"}, "target": collection}},
	})
}

// TestDataPlaneRestartsOnlyChangedTasks publishes a change to one capture: it restarts, while the
// other capture keeps running (its commits go on from where they were, with no restart).
func TestDataPlaneRestartsOnlyChangedTasks(t *testing.T) {
	s, err := OpenStore(context.Background(), backends[0].url(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := StartDataPlane(ctx, s, DataPlaneOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = d.Wait() }()
	cp := New(s, nil)
	cp.DataPlane = d
	alice := principal(t, s, "alice", "acmeCo/=admin")
	greeting := collectionWith(map[string]any{"key": []string{"/message"}, "schema": map[string]any{"type": "object",
		"required": []string{"message"}, "properties": map[string]any{"message": map[string]any{"type": "string"}}}})
	mustPublish(t, cp, alice,
		api.DraftSpec{CatalogName: "acmeCo/a", SpecType: api.Collection, Spec: greeting},
		api.DraftSpec{CatalogName: "acmeCo/b", SpecType: api.Collection, Spec: greeting},
		api.DraftSpec{CatalogName: "acmeCo/cap-a", SpecType: api.Capture, Spec: greetingsCapture("acmeCo/a", 50)},
		api.DraftSpec{CatalogName: "acmeCo/cap-b", SpecType: api.Capture, Spec: greetingsCapture("acmeCo/b", 50)})

	stats := func() map[string]TaskStatus {
		out := map[string]TaskStatus{}
		for _, task := range d.Status(alice).Tasks {
			out[task.Task] = task
		}
		return out
	}
	waitFor := func(what string, cond func(map[string]TaskStatus) bool) map[string]TaskStatus {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if st := stats(); cond(st) {
				return st
			} else if time.Now().After(deadline) {
				t.Fatalf("%s: not after 30s; tasks %+v", what, st)
			}
		}
	}
	before := waitFor("both captures commit", func(st map[string]TaskStatus) bool {
		return st["acmeCo/cap-a"].Commits > 1 && st["acmeCo/cap-b"].Commits > 1
	})
	pub := mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/cap-b", SpecType: api.Capture, Spec: greetingsCapture("acmeCo/b", 60)})
	after := waitFor("the publication is applied", func(map[string]TaskStatus) bool {
		st := d.Status(alice)
		return st.AppliedPubID >= pub.ID && st.PendingPubID == ""
	})
	if a := after["acmeCo/cap-a"]; a.Restarts != 0 || a.Commits < before["acmeCo/cap-a"].Commits {
		t.Errorf("the unchanged capture was restarted: %d restarts, %d commits (%d before)", a.Restarts, a.Commits, before["acmeCo/cap-a"].Commits)
	}
	if b := after["acmeCo/cap-b"]; b.Restarts != 1 {
		t.Errorf("the changed capture restarted %d times, want 1", b.Restarts)
	}
}
