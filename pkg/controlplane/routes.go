package controlplane

import (
	"context"
	"net/http"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

func (h *handler) me(_ context.Context, p *Principal, _ *http.Request) (int, any, error) {
	return http.StatusOK, api.Me{User: p.User, Grants: p.Grants}, nil
}

func (h *handler) listTokens(ctx context.Context, p *Principal, _ *http.Request) (int, any, error) {
	toks, err := h.cp.Store.ListTokens(ctx, p.User)
	return http.StatusOK, toks, err
}

func (h *handler) createToken(ctx context.Context, p *Principal, _ *http.Request) (int, any, error) {
	tok, err := h.cp.Store.CreateToken(ctx, p.User)
	return http.StatusCreated, tok, err
}

func (h *handler) revokeToken(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	if !draftIDRe.MatchString(id) {
		return 0, nil, notFoundf("%q is not a token id (16 hex digits)", id)
	}
	return http.StatusOK, map[string]string{"revoked": id}, h.cp.Store.RevokeToken(ctx, p.User, id)
}

func (h *handler) listDrafts(ctx context.Context, p *Principal, _ *http.Request) (int, any, error) {
	drafts, err := h.cp.Store.ListDrafts(ctx, p)
	return http.StatusOK, drafts, err
}

func (h *handler) createDraft(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	var req api.CreateDraftRequest
	if err := h.decode(r, &req); err != nil {
		return 0, nil, err
	}
	d, err := h.cp.Store.CreateDraft(ctx, p, req.Detail)
	return http.StatusCreated, d, err
}

func (h *handler) getDraft(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id, err := draftID(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := h.cp.Store.GetDraft(ctx, p, id)
	return http.StatusOK, d, err
}

func (h *handler) deleteDraft(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id, err := draftID(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"deleted": id}, h.cp.Store.DeleteDraft(ctx, p, id)
}

func (h *handler) upsertSpecs(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id, err := draftID(r)
	if err != nil {
		return 0, nil, err
	}
	var req api.UpsertSpecsRequest
	if err := h.decode(r, &req); err != nil {
		return 0, nil, err
	}
	d, err := h.cp.Store.UpsertDraftSpecs(ctx, p, id, req.Specs)
	return http.StatusOK, d, err
}

// removeSpecs serves DELETE /api/v1/drafts/{id}/specs?name=N[&name=N2]: it drops entries of a draft.
func (h *handler) removeSpecs(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id, err := draftID(r)
	if err != nil {
		return 0, nil, err
	}
	d, err := h.cp.Store.RemoveDraftSpecs(ctx, p, id, r.URL.Query()["name"])
	return http.StatusOK, d, err
}

func (h *handler) publish(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	id, err := draftID(r)
	if err != nil {
		return 0, nil, err
	}
	var req api.PublishRequest
	if err := h.decode(r, &req); err != nil {
		return 0, nil, err
	}
	pub, err := h.cp.Publish(ctx, p, id, req)
	return http.StatusOK, pub, err
}

// liveSpecs serves GET /api/v1/live-specs?prefix=P&name=N[&name=N2]&type=T[&type=T2]&withSpec=true.
func (h *handler) liveSpecs(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	q := r.URL.Query()
	f := LiveFilter{Prefix: q.Get("prefix"), Names: q["name"], WithSpec: q.Get("withSpec") == "true"}
	for _, t := range q["type"] {
		for _, one := range strings.Split(t, ",") {
			f.Types = append(f.Types, api.SpecType(one))
		}
	}
	specs, err := h.cp.Store.ListLiveSpecs(ctx, p, f)
	return http.StatusOK, specs, err
}

func (h *handler) history(ctx context.Context, p *Principal, r *http.Request) (int, any, error) {
	entries, err := h.cp.Store.History(ctx, p, r.URL.Query().Get("name"))
	return http.StatusOK, entries, err
}
