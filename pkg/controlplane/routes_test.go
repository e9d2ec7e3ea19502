package controlplane

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// call makes one API request and decodes a successful response into out.
func call(t *testing.T, srv *httptest.Server, token, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestHTTPTokensAndDraftSpecs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first, err := s.CreateUser(ctx, "alice", []api.Grant{{Prefix: "acmeCo/", Capability: "write"}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(New(s, nil).Handler(0))
		defer srv.Close()

		var me api.Me
		if call(t, srv, first.Secret, "GET", "/api/v1/me", "", &me); me.User != "alice" || len(me.Grants) != 1 {
			t.Errorf("me = %+v", me)
		}
		var second api.Token
		if code := call(t, srv, first.Secret, "POST", "/api/v1/tokens", "", &second); code != 201 || second.Secret == "" {
			t.Fatalf("creating a token: %d %+v", code, second)
		}
		var toks []api.Token
		call(t, srv, second.Secret, "GET", "/api/v1/tokens", "", &toks)
		if len(toks) != 2 || toks[0].Secret != "" || toks[1].Secret != "" {
			t.Errorf("listing tokens shows %+v (secrets must never be listed)", toks)
		}
		if code := call(t, srv, second.Secret, "DELETE", "/api/v1/tokens/"+first.ID, "", nil); code != 200 {
			t.Errorf("revoking: %d", code)
		}
		if code := call(t, srv, first.Secret, "GET", "/api/v1/me", "", nil); code != 401 {
			t.Errorf("a revoked token got %d, want 401", code)
		}

		var d api.Draft
		call(t, srv, second.Secret, "POST", "/api/v1/drafts", `{"detail":"x"}`, &d)
		body, _ := json.Marshal(api.UpsertSpecsRequest{Specs: []api.DraftSpec{
			{CatalogName: "acmeCo/a", SpecType: api.Collection, Spec: collectionSpec("/id")},
			{CatalogName: "acmeCo/b", SpecType: api.Collection, Spec: collectionSpec("/id")},
		}})
		call(t, srv, second.Secret, "PUT", "/api/v1/drafts/"+d.ID+"/specs", string(body), &d)
		if d.NumSpecs != 2 {
			t.Fatalf("draft has %d specs", d.NumSpecs)
		}
		call(t, srv, second.Secret, "DELETE", "/api/v1/drafts/"+d.ID+"/specs?name=acmeCo/a&name=acmeCo/not-there", "", &d)
		if d.NumSpecs != 1 || d.Specs[0].CatalogName != "acmeCo/b" {
			t.Errorf("after removing acmeCo/a: %+v", d.Specs)
		}
		if code := call(t, srv, second.Secret, "DELETE", "/api/v1/drafts/"+d.ID+"/specs", "", nil); code != 400 {
			t.Errorf("removing no names got %d, want 400", code)
		}
		var pub api.Publication
		if code := call(t, srv, second.Secret, "POST", "/api/v1/drafts/"+d.ID+"/publish", `{"detail":"via http"}`, &pub); code != 200 || len(pub.ID) != 16 {
			t.Fatalf("publish: %d %+v", code, pub)
		}
		var hist []api.HistoryEntry
		call(t, srv, second.Secret, "GET", "/api/v1/history?name=acmeCo/b", "", &hist)
		if len(hist) != 1 || hist[0].Detail != "via http" || hist[0].User != "alice" {
			t.Errorf("history = %+v", hist)
		}
		var live []api.LiveSpec
		call(t, srv, second.Secret, "GET", "/api/v1/live-specs?name=acmeCo/b&withSpec=true&type=collection", "", &live)
		if len(live) != 1 || len(live[0].Spec) == 0 {
			t.Errorf("live = %+v", live)
		}
		call(t, srv, second.Secret, "GET", "/api/v1/live-specs?type=capture,test", "", &live)
		if len(live) != 0 {
			t.Errorf("a type filter let through %+v", live)
		}
	})
}
