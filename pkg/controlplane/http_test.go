package controlplane

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestHTTPBadRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tok, err := s.CreateUser(ctx, "alice", []api.Grant{{Prefix: "acmeCo/", Capability: "admin"}})
		if err != nil {
			t.Fatal(err)
		}
		cp := New(s, nil)
		srv := httptest.NewServer(cp.Handler(4096))
		defer srv.Close()
		p, _ := s.Authenticate(ctx, tok.Secret)
		d, _ := s.CreateDraft(ctx, p, "")
		specsURL := "/api/v1/drafts/" + d.ID + "/specs"

		cases := []struct {
			name, method, path, token, contentType, body string
			status                                       int
			code, message                                string
		}{
			{"no token", "GET", "/api/v1/drafts", "", "", "", 401, api.CodeUnauthorized, "missing, unknown or revoked"},
			{"bad token", "GET", "/api/v1/drafts", "flowd_nope", "", "", 401, api.CodeUnauthorized, ""},
			{"malformed JSON", "PUT", specsURL, tok.Secret, "", `{"specs": [`, 400, api.CodeBadRequest, "malformed request body"},
			{"unknown field", "PUT", specsURL, tok.Secret, "", `{"specs": [], "spex": 1}`, 400, api.CodeBadRequest, `unknown field "spex"`},
			{"two values", "POST", "/api/v1/drafts", tok.Secret, "", `{} {}`, 400, api.CodeBadRequest, "more than one JSON value"},
			{"empty body", "POST", "/api/v1/drafts", tok.Secret, "", ``, 400, api.CodeBadRequest, "empty"},
			{"huge body", "PUT", specsURL, tok.Secret, "", `{"specs":[{"catalogName":"acmeCo/x","specType":"collection","spec":{"pad":"` + strings.Repeat("x", 5000) + `"}}]}`, 413, api.CodeTooLarge, "larger than 4096 bytes"},
			{"wrong content type", "POST", "/api/v1/drafts", tok.Secret, "text/plain", `{}`, 415, api.CodeUnsupportedCT, ""},
			{"traversal in name", "PUT", specsURL, tok.Secret, "", `{"specs":[{"catalogName":"acmeCo/../../etc/passwd","specType":"collection","spec":{}}]}`, 400, api.CodeBadRequest, "not allowed"},
			{"traversal in draft id", "GET", "/api/v1/drafts/..%2F..%2Fetc", tok.Secret, "", "", 404, api.CodeNotFound, "not a draft id"},
			{"traversal in prefix", "GET", "/api/v1/live-specs?prefix=acmeCo/../", tok.Secret, "", "", 400, api.CodeBadRequest, "not allowed"},
			{"someone else's name", "GET", "/api/v1/history?name=other/x", tok.Secret, "", "", 403, api.CodeForbidden, "no read grant"},
			{"unknown route", "GET", "/api/v2/nothing", tok.Secret, "", "", 404, api.CodeNotFound, "no such API route"},
			{"wrong method", "PATCH", "/api/v1/drafts", tok.Secret, "", "", 405, api.CodeNotAllowed, "PATCH is not allowed"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				if tc.contentType != "" {
					req.Header.Set("Content-Type", tc.contentType)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var body api.ErrorBody
				dec := json.NewDecoder(strings.NewReader(string(raw)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&body); err != nil {
					t.Fatalf("error body %q is not {error: {code, message}}: %v", raw, err)
				}
				if resp.StatusCode != tc.status || body.Error.Code != tc.code || !strings.Contains(body.Error.Message, tc.message) {
					t.Errorf("got %d %+v, want %d %s %q", resp.StatusCode, body.Error, tc.status, tc.code, tc.message)
				}
			})
		}
		if got, _ := s.GetDraft(ctx, p, d.ID); got.NumSpecs != 0 {
			t.Errorf("bad requests stored %d draft specs", got.NumSpecs)
		}
		if drafts, _ := s.ListDrafts(ctx, p); len(drafts) != 1 {
			t.Errorf("bad requests created drafts: %+v", drafts)
		}
	})
}
