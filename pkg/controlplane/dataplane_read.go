package controlplane

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/journal"
)

// DataPlaneHandler serves the data plane's routes: GET /api/v1/tasks and GET
// /api/v1/collections/read. Mount it beside Handler (flowd serve does).
func (cp *ControlPlane) DataPlaneHandler(d *RuntimeDataPlane) http.Handler {
	h := &handler{cp: cp, maxBody: DefaultMaxBodyBytes}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/tasks", h.dispatch(map[string]authedFunc{"GET": h.tasks(d)}))
	mux.HandleFunc("/api/v1/collections/read", h.readCollection(d))
	return mux
}

// readRequest is a parsed GET /api/v1/collections/read?name=&partitions=&since=&follow=.
type readRequest struct {
	name      string
	selector  journal.Selector
	notBefore time.Time
	follow    bool
}

// readCollection streams the committed documents of a live collection the caller can read, as JSON
// lines in journal order (journals by name), and with follow=true keeps streaming new ones until the
// client goes away.
func (h *handler) readCollection(d *RuntimeDataPlane) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			writeError(w, &Error{http.StatusMethodNotAllowed, api.CodeNotAllowed, r.Method + " is not allowed on " + r.URL.Path, nil})
			return
		}
		p, err := h.cp.Store.Authenticate(r.Context(), bearerToken(r))
		if errors.Is(err, ErrUnauthenticated) {
			writeError(w, &Error{http.StatusUnauthorized, api.CodeUnauthorized, err.Error(), nil})
			return
		} else if err != nil {
			h.internal(w, r, err)
			return
		}
		// A following read ends when the client leaves or when the server stops.
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		go func() {
			select {
			case <-d.stopping:
				cancel()
			case <-ctx.Done():
			}
		}()
		req, journals, err := h.openRead(ctx, d, p, r)
		var apiErr *Error
		if errors.As(err, &apiErr) {
			writeError(w, apiErr)
			return
		} else if err != nil {
			h.internal(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Trailer", api.ReadErrorTrailer)
		w.WriteHeader(http.StatusOK)
		out := &lineWriter{w: w, flush: req.follow}
		if err := d.streamDocs(ctx, req, journals, out); err != nil {
			h.cp.Logger.Error("collection read failed", "collection", req.name, "error", err)
			w.Header().Set(api.ReadErrorTrailer, "reading "+req.name+" failed after some documents were sent; the server log has the cause")
		}
	}
}

// bearerToken is the token of an `Authorization: Bearer TOKEN` header, or "".
func bearerToken(r *http.Request) string {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(token)
}

// openRead checks the request and the caller's grant, and lists the journals to read. A caller
// without a read grant learns nothing, not even whether the collection exists.
func (h *handler) openRead(ctx context.Context, d *RuntimeDataPlane, p *Principal, r *http.Request) (readRequest, []string, error) {
	req, err := parseReadQuery(r.URL.Query(), time.Now())
	if err != nil {
		return req, nil, err
	}
	if !p.Can(Read, req.name) {
		return req, nil, forbiddenf("you have no read grant on %q", req.name)
	}
	live, err := h.cp.Store.ListLiveSpecs(ctx, p, LiveFilter{Names: []string{req.name}, Types: []api.SpecType{api.Collection}})
	if err != nil {
		return req, nil, err
	}
	if len(live) == 0 {
		return req, nil, notFoundf("%s is not a live collection: list them with `flowctl catalog list --collections`", req.name)
	}
	journals, err := journal.SelectJournals(ctx, d.journals, req.name, req.selector)
	return req, journals, err
}

// parseReadQuery reads name, partitions, since and follow; every problem is a bad request.
func parseReadQuery(q url.Values, now time.Time) (readRequest, error) {
	req := readRequest{name: q.Get("name")}
	if err := api.ValidateName(req.name); err != nil {
		return req, badRequestf("name: %v", err)
	}
	if s := q.Get("partitions"); s != "" {
		var err error
		if req.selector, err = journal.ParseSelector([]byte(s)); err != nil {
			return req, badRequestf("partitions: %v", err)
		}
	}
	if s := q.Get("since"); s != "" {
		since, err := time.ParseDuration(s)
		if err != nil || since <= 0 {
			return req, badRequestf("since must be a positive duration like 10m, not %q", s)
		}
		req.notBefore = now.Add(-since)
	}
	if s := q.Get("follow"); s != "" {
		var err error
		if req.follow, err = strconv.ParseBool(s); err != nil {
			return req, badRequestf("follow must be true or false, not %q", s)
		}
	}
	return req, nil
}

// streamDocs writes the committed documents of the journals, and with follow, of journals created
// later, until they are read (or, following, until ctx ends).
func (d *RuntimeDataPlane) streamDocs(ctx context.Context, req readRequest, journals []string, out *lineWriter) error {
	if req.follow {
		out.flushNow() // the client sees the stream open even before the first document
	}
	read := journal.ReadJournalsOptions{Follow: req.follow, List: func(ctx context.Context) ([]string, error) {
		return journal.SelectJournals(ctx, d.journals, req.name, req.selector)
	}}
	return journal.ReadJournals(ctx, d.journals, journals, read, func(doc journal.ReadDoc) error {
		if doc.IsAck() || (!req.notBefore.IsZero() && doc.UUID.PublishedAt().Before(req.notBefore)) {
			return nil
		}
		return out.writeLine(doc.Raw)
	})
}

// lineWriter writes whole lines, flushing each one when following (the client waits for every
// document as it commits).
type lineWriter struct {
	w     http.ResponseWriter
	flush bool
}

func (l *lineWriter) writeLine(b []byte) error {
	if _, err := l.w.Write(append(b[:len(b):len(b)], '\n')); err != nil {
		return err
	}
	if l.flush {
		return http.NewResponseController(l.w).Flush()
	}
	return nil
}

func (l *lineWriter) flushNow() {
	_ = http.NewResponseController(l.w).Flush() // a failed flush shows up as a failed write next
}
