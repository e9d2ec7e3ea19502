package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// tokenList is `flowctl auth tokens list -o json` as the user.
func tokenList(t *testing.T, u *user) []api.Token {
	t.Helper()
	var toks []api.Token
	if r := u.mustRun("auth", "tokens", "list", "-o", "json"); json.Unmarshal([]byte(r.stdout), &toks) != nil {
		t.Fatalf("auth tokens list -o json printed:\n%s", r.stdout)
	}
	return toks
}

func TestEndToEndTokensListAndRevoke(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		alice := e.user("alice", "acmeCo/=admin")
		bob := e.user("bob", "bobCo/=admin")
		first := tokenList(t, alice)
		if len(first) != 1 || first[0].Secret != "" || first[0].RevokedAt != "" {
			t.Fatalf("alice's tokens: %+v", first)
		}
		// A second token, made through the API as a CI job would.
		req, _ := http.NewRequest("POST", e.url+"/api/v1/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+alice.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var second api.Token
		if json.NewDecoder(resp.Body).Decode(&second) != nil || second.Secret == "" {
			t.Fatalf("POST /api/v1/tokens: %s", resp.Status)
		}
		resp.Body.Close()
		ci := &user{e: e, name: "alice (ci)", token: second.Secret, configDir: t.TempDir(), envToken: second.Secret}
		if r := ci.run("auth", "status"); r.code != 0 {
			t.Fatalf("the new token does not work: %s", r.stderr)
		}

		// bob cannot revoke alice's token, and cannot tell it from a token that does not exist.
		bob.expect(2, []string{"auth", "token", "revoke", second.ID}, "no live token")
		bob.expect(2, []string{"auth", "token", "revoke", "0123456789abcdef"}, "no live token")
		alice.expect(2, []string{"auth", "token", "revoke", "../../me"}, "not a token id")
		alice.expect(2, []string{"auth", "token", "revoke"}, "one token id")

		alice.expect(0, []string{"auth", "token", "revoke", second.ID}, "Revoked token "+second.ID)
		if r := ci.run("auth", "status"); r.code == 0 || !strings.Contains(r.stderr, "revoked") {
			t.Errorf("a revoked token still works (exit %d): %s", r.code, r.stderr)
		}
		alice.expect(2, []string{"auth", "token", "revoke", second.ID}, "no live token")
		toks := tokenList(t, alice)
		if len(toks) != 2 {
			t.Fatalf("after revoking, alice lists %+v", toks)
		}
		for _, tok := range toks {
			if revoked := tok.RevokedAt != ""; revoked != (tok.ID == second.ID) {
				t.Errorf("token %s: revokedAt %q", tok.ID, tok.RevokedAt)
			}
		}
		if r := alice.mustRun("auth", "tokens", "list"); !strings.Contains(r.stdout, second.ID) || strings.Count(r.stdout, "\n") != 2 { // no header off a terminal
			t.Errorf("auth tokens list (table):\n%s", r.stdout)
		}
	})
}
