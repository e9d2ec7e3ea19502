package controlplane

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// principal creates a user with grants "PREFIX=CAP" and returns it authenticated.
func principal(t testing.TB, s *Store, user string, grants ...string) *Principal {
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
	p, err := s.Authenticate(context.Background(), tok.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cut(g string) (string, string, bool) {
	for i := len(g) - 1; i >= 0; i-- {
		if g[i] == '=' {
			return g[:i], g[i+1:], true
		}
	}
	return g, "", false
}

// collectionSpec is a collection keyed on key, whose schema has string properties id, other and region.
func collectionSpec(key ...string) json.RawMessage {
	return collectionWith(map[string]any{"key": key})
}

// collectionWith is a valid collection spec (key /id) with fields overridden or added.
func collectionWith(fields map[string]any) json.RawMessage {
	str := map[string]any{"type": "string"}
	spec := map[string]any{
		"schema": map[string]any{"type": "object", "required": []string{"id", "other", "region"},
			"properties": map[string]any{"id": str, "other": str, "region": str}},
		"key": []string{"/id"},
	}
	for k, v := range fields {
		spec[k] = v
	}
	b, _ := json.Marshal(spec)
	return b
}

func spec(t testing.TB, v string) json.RawMessage {
	t.Helper()
	if !json.Valid([]byte(v)) {
		t.Fatalf("invalid test JSON: %s", v)
	}
	return json.RawMessage(v)
}

// publish drafts specs and publishes them, returning the publication or the error.
func publish(t testing.TB, cp *ControlPlane, p *Principal, specs ...api.DraftSpec) (api.Publication, error) {
	t.Helper()
	ctx := context.Background()
	d, err := cp.Store.CreateDraft(ctx, p, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Store.UpsertDraftSpecs(ctx, p, d.ID, specs); err != nil {
		return api.Publication{}, err
	}
	return cp.Publish(ctx, p, d.ID, api.PublishRequest{Detail: "test"})
}

func mustPublish(t testing.TB, cp *ControlPlane, p *Principal, specs ...api.DraftSpec) api.Publication {
	t.Helper()
	pub, err := publish(t, cp, p, specs...)
	if err != nil {
		t.Fatalf("publish: %v (%+v)", err, details(err))
	}
	return pub
}

func details(err error) []api.BuildError {
	if e, ok := err.(*Error); ok {
		return e.Details
	}
	return nil
}

// liveNames lists the names of every live spec, whoever can read them.
func liveNames(t testing.TB, s *Store) []string {
	t.Helper()
	root := &Principal{User: "root", Grants: []api.Grant{{Prefix: "", Capability: "admin"}}}
	specs, err := s.ListLiveSpecs(context.Background(), root, LiveFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range specs {
		names = append(names, l.CatalogName+"@"+l.LastPubID)
	}
	return names
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
