package draft

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// Client calls flowd's HTTP JSON API.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// NewClient returns a client for the profile's server and token.
func NewClient(p Profile) (*Client, error) {
	if p.APIURL == "" {
		return nil, fmt.Errorf("no control plane address: log in with `flowctl auth login --url URL --token TOKEN`, or set %s", EnvAPIURL)
	}
	u, err := url.Parse(p.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("control plane address %q must be an http:// or https:// URL", p.APIURL)
	}
	if p.Token == "" {
		return nil, fmt.Errorf("no API token: log in with `flowctl auth token --token TOKEN`, or set %s", EnvToken)
	}
	return &Client{BaseURL: strings.TrimRight(p.APIURL, "/"), Token: p.Token, HTTP: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// APIError is an error response of the API.
type APIError struct {
	Status int
	api.ErrorDetail
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, d := range e.Details {
		fmt.Fprintf(&b, "\n  %s", d.CatalogName)
		if d.Pointer != "" {
			fmt.Fprintf(&b, "#%s", d.Pointer)
		}
		fmt.Fprintf(&b, ": %s", d.Message)
	}
	return b.String()
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	u := c.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("calling the control plane at %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return ResponseError(method, path, resp)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the control plane's response: %w", err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the control plane's response to %s %s is not what this flowctl expects: %v", method, path, err)
	}
	return nil
}

// Me returns the authenticated user and its grants.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	return me, c.do(ctx, "GET", "/api/v1/me", nil, nil, &me)
}

// CreateDraft starts an empty draft.
func (c *Client) CreateDraft(ctx context.Context, detail string) (api.Draft, error) {
	var d api.Draft
	return d, c.do(ctx, "POST", "/api/v1/drafts", nil, api.CreateDraftRequest{Detail: detail}, &d)
}

// ListDrafts lists the user's drafts.
func (c *Client) ListDrafts(ctx context.Context) ([]api.Draft, error) {
	var ds []api.Draft
	return ds, c.do(ctx, "GET", "/api/v1/drafts", nil, nil, &ds)
}

// GetDraft returns a draft with its specs.
func (c *Client) GetDraft(ctx context.Context, id string) (api.Draft, error) {
	var d api.Draft
	return d, c.do(ctx, "GET", "/api/v1/drafts/"+url.PathEscape(id), nil, nil, &d)
}

// DeleteDraft deletes a draft.
func (c *Client) DeleteDraft(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/drafts/"+url.PathEscape(id), nil, nil, nil)
}

// UpsertSpecs adds specs or deletions to a draft.
func (c *Client) UpsertSpecs(ctx context.Context, id string, specs []api.DraftSpec) (api.Draft, error) {
	var d api.Draft
	return d, c.do(ctx, "PUT", "/api/v1/drafts/"+url.PathEscape(id)+"/specs", nil, api.UpsertSpecsRequest{Specs: specs}, &d)
}

// Publish publishes a draft, or checks it when req.DryRun.
func (c *Client) Publish(ctx context.Context, id string, req api.PublishRequest) (api.Publication, error) {
	var p api.Publication
	return p, c.do(ctx, "POST", "/api/v1/drafts/"+url.PathEscape(id)+"/publish", nil, req, &p)
}

// LiveFilter selects live specs: by exact names, or by prefix, and by types.
type LiveFilter struct {
	Names    []string
	Prefix   string
	Types    []api.SpecType
	WithSpec bool
}

// namesPerRequest keeps each listing by name under the server's limit.
const namesPerRequest = 500

// LiveSpecs lists live specs the user can read, sorted by name.
func (c *Client) LiveSpecs(ctx context.Context, f LiveFilter) ([]api.LiveSpec, error) {
	if len(f.Names) <= namesPerRequest {
		return c.liveSpecs(ctx, f)
	}
	var out []api.LiveSpec
	names := f.Names
	for len(names) > 0 {
		f.Names = names[:min(namesPerRequest, len(names))]
		names = names[len(f.Names):]
		part, err := c.liveSpecs(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CatalogName < out[j].CatalogName })
	return out, nil
}

func (c *Client) liveSpecs(ctx context.Context, f LiveFilter) ([]api.LiveSpec, error) {
	q := url.Values{}
	for _, n := range f.Names {
		q.Add("name", n)
	}
	if f.Prefix != "" {
		q.Set("prefix", f.Prefix)
	}
	for _, t := range f.Types {
		q.Add("type", string(t))
	}
	if f.WithSpec {
		q.Set("withSpec", "true")
	}
	var out []api.LiveSpec
	return out, c.do(ctx, "GET", "/api/v1/live-specs", q, nil, &out)
}

// RemoveSpecs drops entries from a draft.
func (c *Client) RemoveSpecs(ctx context.Context, id string, names []string) (api.Draft, error) {
	var d api.Draft
	return d, c.do(ctx, "DELETE", "/api/v1/drafts/"+url.PathEscape(id)+"/specs", url.Values{"name": names}, nil, &d)
}

// History lists the publications of a spec.
func (c *Client) History(ctx context.Context, name string) ([]api.HistoryEntry, error) {
	var out []api.HistoryEntry
	return out, c.do(ctx, "GET", "/api/v1/history", url.Values{"name": {name}}, nil, &out)
}

// ListTokens lists the caller's API tokens (never their secrets).
func (c *Client) ListTokens(ctx context.Context) ([]api.Token, error) {
	var toks []api.Token
	err := c.do(ctx, http.MethodGet, "/api/v1/tokens", nil, nil, &toks)
	return toks, err
}

// RevokeToken revokes one of the caller's tokens; it stops working at once.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/tokens/"+url.PathEscape(id), nil, nil, nil)
}
