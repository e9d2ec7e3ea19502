package draft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// ReadRequest selects the documents that ReadCollection streams.
type ReadRequest struct {
	Collection string
	// Partitions is a partition selector as JSON: {"include": {"field": [values]}, "exclude": {...}}.
	Partitions string
	// Since keeps only documents published within this duration before now (0: all of them).
	Since time.Duration
	// Follow keeps streaming new documents until ctx ends.
	Follow bool
}

// ReadCollection copies the committed documents of a published collection to w as JSON lines, as
// the server streams them. With Follow it returns nil when ctx ends.
func (c *Client) ReadCollection(ctx context.Context, req ReadRequest, w io.Writer) error {
	q := url.Values{"name": {req.Collection}}
	if req.Partitions != "" {
		q.Set("partitions", req.Partitions)
	}
	if req.Since > 0 {
		q.Set("since", req.Since.String())
	}
	if req.Follow {
		q.Set("follow", "true")
	}
	const path = "/api/v1/collections/read"
	httpReq, err := http.NewRequestWithContext(ctx, "GET", c.BaseURL+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	httpReq.Header.Set("Authorization", "Bearer "+c.Token)
	// A read lasts as long as the collection is long, or forever when following: only ctx bounds it.
	streaming := *c.HTTP
	streaming.Timeout = 0
	resp, err := streaming.Do(httpReq)
	if err != nil {
		if req.Follow && ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("calling the control plane at %s: %w", c.BaseURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ResponseError("GET", path, resp)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		if req.Follow && ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("reading %s from the control plane: %w", req.Collection, err)
	}
	if msg := resp.Trailer.Get(api.ReadErrorTrailer); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// ResponseError reads an error response of the API into an *APIError; callers of routes the Client
// does not wrap use it too.
func ResponseError(method, path string, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e api.ErrorBody
	if json.Unmarshal(raw, &e) != nil || e.Error.Message == "" {
		return &APIError{Status: resp.StatusCode, ErrorDetail: api.ErrorDetail{Code: "http", Message: fmt.Sprintf("%s %s: %s", method, path, resp.Status)}}
	}
	return &APIError{Status: resp.StatusCode, ErrorDetail: e.Error}
}
