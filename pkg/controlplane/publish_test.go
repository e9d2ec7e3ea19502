package controlplane

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func TestPublishAndHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=admin")
		first := mustPublish(t, cp, alice,
			api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")},
			api.DraftSpec{CatalogName: "acmeCo/tests/orders", SpecType: api.Test, Spec: spec(t, `{"steps":[{"ingest":{"collection":"acmeCo/orders","documents":[{"id":"a","other":"b","region":"c"}]}}]}`)})
		if len(first.ID) != 16 || !reflect.DeepEqual(first.Published, []string{"acmeCo/orders", "acmeCo/tests/orders"}) {
			t.Fatalf("publication = %+v", first)
		}
		second := mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection,
			Spec: collectionWith(map[string]any{"projections": map[string]any{"v2": "/other"}}), ExpectPubID: first.ID})
		if second.ID <= first.ID {
			t.Errorf("publication ids do not increase: %s then %s", first.ID, second.ID)
		}
		// The draft is gone once published.
		if drafts, _ := s.ListDrafts(ctx, alice); len(drafts) != 0 {
			t.Errorf("published drafts remain: %+v", drafts)
		}
		third := mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/tests/orders"})
		if !reflect.DeepEqual(third.Deleted, []string{"acmeCo/tests/orders"}) {
			t.Errorf("deleted = %v", third.Deleted)
		}
		want := []string{"acmeCo/orders@" + second.ID}
		if got := liveNames(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("live = %v, want %v", got, want)
		}
		hist, err := s.History(ctx, alice, "acmeCo/orders")
		if err != nil || len(hist) != 2 || hist[0].PubID != first.ID || hist[1].PubID != second.ID ||
			!strings.Contains(string(hist[1].Spec), `"v2":"/other"`) {
			t.Errorf("history = %+v, %v", hist, err)
		}
		hist, _ = s.History(ctx, alice, "acmeCo/tests/orders")
		if len(hist) != 2 || string(hist[1].Spec) != "null" {
			t.Errorf("the deletion is not in the history: %+v", hist)
		}
	})
}

func TestPublishRefusals(t *testing.T) {
	capture := func(backfill int) api.DraftSpec {
		return api.DraftSpec{CatalogName: "acmeCo/cap", SpecType: api.Capture, Spec: spec(t,
			`{"endpoint":{"connector":{"image":"ghcr.io/flowctl/source-file","config":{}}},"bindings":[{"resource":{"stream":"s"},"target":"acmeCo/orders","backfill":`+
				strconv.Itoa(backfill)+`}]}`)}
	}
	cases := []struct {
		name  string
		draft []api.DraftSpec
		want  []string // substrings of the errors' messages, in order
	}{
		{"key change", []api.DraftSpec{{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id", "/other")}},
			[]string{`the key of existing collection acmeCo/orders cannot change (from ["/id"] to ["/id","/other"]) without also resetting it`}},
		{"partition change", []api.DraftSpec{{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionWith(
			map[string]any{"projections": map[string]any{"region": map[string]any{"location": "/region", "partition": true}}})}},
			[]string{`the logical partitions of existing collection acmeCo/orders cannot change (from [] to ["region"])`}},
		{"backfill decrease", []api.DraftSpec{capture(1)},
			[]string{"`backfill` counters may only increase, but the draft capture for {\"stream\":\"s\"} has a value of 1, which is less than the last value 2"}},
		{"missing reference", []api.DraftSpec{{CatalogName: "acmeCo/mat", SpecType: api.Materialization, Spec: spec(t,
			`{"endpoint":{"connector":{"image":"ghcr.io/estuary/materialize-sqlite","config":{}}},"bindings":[{"resource":{},"source":"acmeCo/nope"}]}`)}},
			[]string{"collection acmeCo/nope, referenced by materialization acmeCo/mat, is not defined"}},
		{"unknown field and empty key", []api.DraftSpec{{CatalogName: "acmeCo/new", SpecType: api.Collection, Spec: spec(t,
			`{"key":[],"schema":{"type":"object"},"shuffel":1}`)}},
			[]string{"collection acmeCo/new key cannot be empty", `unknown property "shuffel"`}},
		{"stale expectPubId", []api.DraftSpec{{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id"), ExpectPubID: "00000000000000ff"}},
			[]string{"expected publication ID 00000000000000ff was not matched"}},
		{"delete missing", []api.DraftSpec{{CatalogName: "acmeCo/ghost"}},
			[]string{"drafted deletion references a specification that does not exist"}},
		{"delete in use", []api.DraftSpec{{CatalogName: "acmeCo/orders"}},
			[]string{"deleted acmeCo/orders is still referenced by acmeCo/cap"}},
		{"type change", []api.DraftSpec{{CatalogName: "acmeCo/cap", SpecType: api.Collection, Spec: collectionSpec("/id")}},
			[]string{"acmeCo/cap is a live capture and cannot become a collection"}},
	}
	forEachBackend(t, func(t *testing.T, s *Store) {
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=admin")
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")}, capture(2))
		before := liveNames(t, s)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := publish(t, cp, alice, tc.draft...)
				var apiErr *Error
				if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnprocessableEntity || apiErr.Code != api.CodeBuildFailed {
					t.Fatalf("got %v, want a build_failed error", err)
				}
				if len(apiErr.Details) != len(tc.want) {
					t.Fatalf("got %d errors %+v, want %d", len(apiErr.Details), apiErr.Details, len(tc.want))
				}
				for i, w := range tc.want {
					if !strings.Contains(apiErr.Details[i].Message, w) {
						t.Errorf("error %d = %q, want it to contain %q", i, apiErr.Details[i].Message, w)
					}
					if apiErr.Details[i].CatalogName == "" {
						t.Errorf("error %d names no spec", i)
					}
				}
				if after := liveNames(t, s); !reflect.DeepEqual(after, before) {
					t.Errorf("a failed publication changed the live specs: %v -> %v", before, after)
				}
			})
		}
	})
}

func TestResetAllowsKeyChange(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=write")
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")})
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection,
			Spec: collectionWith(map[string]any{"key": []string{"/other"}, "reset": true})})
	})
}

func TestGrantsConfineUsers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=admin")
		bob := principal(t, s, "bob", "bobCo/=write", "acmeCo/shared/=read")
		mustPublish(t, cp, alice,
			api.DraftSpec{CatalogName: "acmeCo/secret", SpecType: api.Collection, Spec: collectionSpec("/id")},
			api.DraftSpec{CatalogName: "acmeCo/shared/orders", SpecType: api.Collection, Spec: collectionSpec("/id")})

		listed, err := s.ListLiveSpecs(ctx, bob, LiveFilter{})
		if err != nil || len(listed) != 1 || listed[0].CatalogName != "acmeCo/shared/orders" {
			t.Errorf("bob lists %+v, %v", listed, err)
		}
		if _, err := s.History(ctx, bob, "acmeCo/secret"); !isStatus(err, http.StatusForbidden) {
			t.Errorf("bob reads alice's history: %v", err)
		}
		d, _ := s.CreateDraft(ctx, bob, "")
		_, err = s.UpsertDraftSpecs(ctx, bob, d.ID, []api.DraftSpec{{CatalogName: "acmeCo/secret", SpecType: api.Collection, Spec: collectionSpec("/id")}})
		if !isStatus(err, http.StatusForbidden) {
			t.Errorf("bob drafts into acmeCo/: %v", err)
		}
		if _, err := s.GetDraft(ctx, alice, d.ID); !isStatus(err, http.StatusNotFound) {
			t.Errorf("alice sees bob's draft: %v", err)
		}
		// Reading a collection bob can read is fine; one he cannot is refused without saying if it exists.
		mustPublish(t, cp, bob, api.DraftSpec{CatalogName: "bobCo/mat", SpecType: api.Materialization, Spec: spec(t,
			`{"endpoint":{"connector":{"image":"ghcr.io/estuary/materialize-sqlite","config":{}}},"bindings":[{"resource":{},"source":"acmeCo/shared/orders"}]}`)})
		for _, target := range []string{"acmeCo/secret", "acmeCo/missing"} {
			_, err = publish(t, cp, bob, api.DraftSpec{CatalogName: "bobCo/mat2", SpecType: api.Materialization, Spec: spec(t,
				`{"endpoint":{"connector":{"image":"ghcr.io/estuary/materialize-sqlite","config":{}}},"bindings":[{"resource":{},"source":"`+target+`"}]}`)})
			if !isStatus(err, http.StatusForbidden) {
				t.Errorf("bob materializes %s: %v", target, err)
			}
		}
		// Alice cannot delete the collection bob reads, and is not told bob's spec name.
		_, err = publish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/shared/orders"})
		if err == nil || strings.Contains(err.Error()+string(mustJSON(details(err))), "bobCo") {
			t.Errorf("deleting a collection in use: %v %+v", err, details(err))
		}
	})
}

func TestPrefixRuleAcrossUsers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=admin")
		bob := principal(t, s, "bob", "acmeCo/x/=admin")
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/x", SpecType: api.Collection, Spec: collectionSpec("/id")})
		_, err := publish(t, cp, bob, api.DraftSpec{CatalogName: "acmeCo/x/y", SpecType: api.Collection, Spec: collectionSpec("/id")})
		if d := details(err); len(d) != 1 || !strings.Contains(d[0].Message, "collides with a live spec outside your grants") ||
			strings.Contains(d[0].Message, "acmeCo/x ") {
			t.Errorf("bob under alice's collection: %v %+v", err, d)
		}
		_, err = publish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo", SpecType: api.Collection, Spec: collectionSpec("/id")})
		if err == nil { // alice has no grant on the bare name "acmeCo"
			t.Error("publishing acmeCo succeeded without a grant")
		}
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/xy", SpecType: api.Collection, Spec: collectionSpec("/id")})
		_, err = publish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/x/z", SpecType: api.Collection, Spec: collectionSpec("/id")})
		if d := details(err); len(d) != 1 || d[0].Message != "acmeCo/x is a prohibited prefix of acmeCo/x/z" {
			t.Errorf("alice under her own collection: %v %+v", err, d)
		}
		// Deleting the parent in the same draft makes room.
		mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/x"},
			api.DraftSpec{CatalogName: "acmeCo/x/z", SpecType: api.Collection, Spec: collectionSpec("/id")})
	})
}

func isStatus(err error, status int) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.Status == status
}

func TestConcurrentPublicationsOfOneSpec(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=admin")
		first := mustPublish(t, cp, alice, api.DraftSpec{CatalogName: "acmeCo/orders", SpecType: api.Collection, Spec: collectionSpec("/id")})
		const n = 4
		drafts := make([]string, n)
		for i := range drafts {
			d, _ := s.CreateDraft(ctx, alice, "")
			drafts[i] = d.ID
			field := string(rune('a' + i))
			if _, err := s.UpsertDraftSpecs(ctx, alice, d.ID, []api.DraftSpec{{CatalogName: "acmeCo/orders", SpecType: api.Collection,
				Spec: collectionWith(map[string]any{"projections": map[string]any{field: "/other"}}), ExpectPubID: first.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range drafts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = cp.Publish(ctx, alice, drafts[i], api.PublishRequest{})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !strings.Contains(err.Error()+string(mustJSON(details(err))), "expected publication ID"):
				t.Errorf("a losing publication failed for another reason: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d publications won, want exactly 1 (%v)", wins, errs)
		}
		hist, _ := s.History(ctx, alice, "acmeCo/orders")
		if len(hist) != 2 {
			t.Errorf("history has %d entries, want 2", len(hist))
		}
	})
}

func TestDryRunRunsTestsAndChangesNothing(t *testing.T) {
	passing := `{"steps":[{"ingest":{"collection":"acmeCo/x","documents":[{"id":"a","other":"b","region":"c"}]}},
		{"verify":{"collection":"acmeCo/x","documents":[{"id":"a","other":"b"}]}}]}`
	failing := strings.Replace(passing, `"other":"b"}]}}]`, `"other":"WRONG"}]}}]`, 1)
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		cp := New(s, nil)
		alice := principal(t, s, "alice", "acmeCo/=write")
		for _, tc := range []struct {
			test    string
			wantErr string
		}{
			{passing, ""},
			{failing, "verify of acmeCo/x did not match"},
		} {
			d, _ := s.CreateDraft(ctx, alice, "")
			if _, err := s.UpsertDraftSpecs(ctx, alice, d.ID, []api.DraftSpec{
				{CatalogName: "acmeCo/x", SpecType: api.Collection, Spec: collectionSpec("/id")},
				{CatalogName: "acmeCo/x-test", SpecType: api.Test, Spec: spec(t, tc.test)},
			}); err != nil {
				t.Fatal(err)
			}
			pub, err := cp.Publish(ctx, alice, d.ID, api.PublishRequest{DryRun: true})
			if tc.wantErr == "" && (err != nil || pub.ID != "" || !pub.DryRun || pub.TestsRun != 1) {
				t.Errorf("dry run = %+v, %v; want 1 test run and no publication", pub, err)
			}
			if tc.wantErr != "" && (!isStatus(err, http.StatusUnprocessableEntity) || len(details(err)) != 1 ||
				details(err)[0].CatalogName != "acmeCo/x-test" || !strings.Contains(details(err)[0].Message, tc.wantErr)) {
				t.Errorf("failing test: got %v %+v, want %q", err, details(err), tc.wantErr)
			}
			if live := liveNames(t, s); len(live) != 0 {
				t.Errorf("a dry run published %v", live)
			}
			if _, err := s.GetDraft(ctx, alice, d.ID); err != nil {
				t.Errorf("a dry run removed the draft: %v", err)
			}
		}
	})
}

func TestUpsertDraftSpecsValidation(t *testing.T) {
	cases := []struct {
		name   string
		spec   api.DraftSpec
		status int
		want   string
	}{
		{"traversal", api.DraftSpec{CatalogName: "acmeCo/../etc", SpecType: api.Collection, Spec: collectionSpec("/id")}, 400, `".." are not allowed`},
		{"bad name", api.DraftSpec{CatalogName: "acmeCo//x", SpecType: api.Collection, Spec: collectionSpec("/id")}, 400, "empty path component"},
		{"bad type", api.DraftSpec{CatalogName: "acmeCo/x", SpecType: "table", Spec: collectionSpec("/id")}, 400, "specType"},
		{"not an object", api.DraftSpec{CatalogName: "acmeCo/x", SpecType: api.Collection, Spec: spec(t, `[1]`)}, 400, "must be a JSON object"},
		{"bad expectPubId", api.DraftSpec{CatalogName: "acmeCo/x", SpecType: api.Collection, Spec: collectionSpec("/id"), ExpectPubID: "xyz"}, 400, "16 lowercase hex"},
		{"no grant", api.DraftSpec{CatalogName: "other/x", SpecType: api.Collection, Spec: collectionSpec("/id")}, 403, "no write grant"},
	}
	forEachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		alice := principal(t, s, "alice", "acmeCo/=write")
		d, _ := s.CreateDraft(ctx, alice, "")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				// A good spec beside the bad one must not be stored either.
				good := api.DraftSpec{CatalogName: "acmeCo/good", SpecType: api.Collection, Spec: collectionSpec("/id")}
				_, err := s.UpsertDraftSpecs(ctx, alice, d.ID, []api.DraftSpec{good, tc.spec})
				if !isStatus(err, tc.status) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want status %d with %q", err, tc.status, tc.want)
				}
				if got, _ := s.GetDraft(ctx, alice, d.ID); got.NumSpecs != 0 {
					t.Errorf("a rejected request stored %d specs", got.NumSpecs)
				}
			})
		}
		// Flow's in-spec `delete: true` and `expectPubId` become a deletion and the draft's expectPubId.
		got, err := s.UpsertDraftSpecs(ctx, alice, d.ID, []api.DraftSpec{
			{CatalogName: "acmeCo/del", SpecType: api.Collection, Spec: spec(t, `{"delete":true}`)},
			{CatalogName: "acmeCo/exp", SpecType: api.Collection, Spec: spec(t, `{"expectPubId":"0123456789abcdef","key":["/id"]}`)},
		})
		if err != nil || !got.Specs[0].IsDeletion() || got.Specs[1].ExpectPubID != "0123456789abcdef" || strings.Contains(string(got.Specs[1].Spec), "expectPubId") {
			t.Errorf("lifted fields: %+v, %v", got.Specs, err)
		}
	})
}
