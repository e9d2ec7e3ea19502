package controlplane

import (
	"context"
	"strings"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestMigrationsAreRecordedAndIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			url := b.url(t)
			for range 2 { // the second open finds everything applied
				s, err := OpenStore(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				var n int
				if err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != len(migrations) {
					t.Errorf("schema_migrations has %d rows, want %d", n, len(migrations))
				}
				s.Close()
			}
		})
	}
}

func TestOpenStoreErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenStore(ctx, ""); err == nil || !strings.Contains(err.Error(), "no database given") {
		t.Errorf("empty URL: got %v", err)
	}
	_, err := OpenStore(ctx, "postgres://user:hunter2@127.0.0.1:1/db?connect_timeout=2")
	if err == nil {
		t.Fatal("connecting to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error leaks the password: %v", err)
	}
}

func TestTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tok, err := s.CreateUser(ctx, "alice", []api.Grant{{Prefix: "acmeCo/", Capability: "admin"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok.Secret, tokenPrefix) || len(tok.Secret) != len(tokenPrefix)+64 {
			t.Errorf("token %q is not %s + 64 hex digits", tok.Secret, tokenPrefix)
		}
		var stored string
		if err := s.queryRow(ctx, s.db, `SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == tok.Secret || strings.Contains(stored, tok.Secret[len(tokenPrefix):]) {
			t.Error("the token is stored in clear")
		}
		p, err := s.Authenticate(ctx, tok.Secret)
		if err != nil || p.User != "alice" || len(p.Grants) != 1 {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
		for _, bad := range []string{"", "flowd_00", tok.Secret + "x"} {
			if _, err := s.Authenticate(ctx, bad); err != ErrUnauthenticated {
				t.Errorf("Authenticate(%q) = %v, want ErrUnauthenticated", bad, err)
			}
		}
		if _, err := s.CreateUser(ctx, "alice", nil); err == nil {
			t.Error("creating a user twice succeeded")
		}
		if _, err := s.CreateUser(ctx, "bob", []api.Grant{{Prefix: "no-slash", Capability: "read"}}); err == nil {
			t.Error("a prefix without a trailing slash was accepted")
		}
		if _, err := s.CreateUser(ctx, "bob", []api.Grant{{Prefix: "b/", Capability: "owner"}}); err == nil {
			t.Error("an unknown capability was accepted")
		}
		if err := s.RevokeToken(ctx, "bob", tok.ID); err == nil {
			t.Error("another user revoked alice's token")
		}
		if err := s.RevokeToken(ctx, "alice", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok.Secret); err != ErrUnauthenticated {
			t.Errorf("a revoked token still authenticates: %v", err)
		}
		if err := s.Grant(ctx, "nobody", []api.Grant{{Prefix: "x/", Capability: "read"}}); err == nil {
			t.Error("granting to a missing user succeeded")
		}
		if err := s.Grant(ctx, "alice", []api.Grant{{Prefix: "acmeCo/", Capability: "read"}, {Prefix: "more/", Capability: "write"}}); err != nil {
			t.Fatal(err)
		}
		if grants, _ := s.grantsOf(ctx, "alice"); len(grants) != 2 || grants[0].Capability != "read" || grants[1].Prefix != "more/" {
			t.Errorf("after Grant: %+v", grants)
		}
		toks, err := s.ListTokens(ctx, "alice")
		if err != nil || len(toks) != 1 || toks[0].RevokedAt == "" || toks[0].Secret != "" {
			t.Errorf("ListTokens = %+v, %v", toks, err)
		}
	})
}

func TestCapabilities(t *testing.T) {
	p := &Principal{User: "u", Grants: []api.Grant{
		{Prefix: "acmeCo/", Capability: "read"},
		{Prefix: "acmeCo/team/", Capability: "write"},
		{Prefix: "other/admin/", Capability: "admin"},
	}}
	for _, tc := range []struct {
		name string
		want Capability
	}{
		{"acmeCo/x", Read},
		{"acmeCo/team/x", Write},
		{"acmeCo/teamX/y", Read},
		{"other/admin/z", Admin},
		{"other/x", None},
		{"acmeCoX/y", None},
	} {
		if got := p.CapabilityOn(tc.name); got != tc.want {
			t.Errorf("CapabilityOn(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
