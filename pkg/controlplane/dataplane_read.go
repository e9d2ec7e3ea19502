package controlplane

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/journal"
)

// journalPollInterval is how often a following read looks for journals created since it started.
var journalPollInterval = time.Second

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
	journals, err := d.selectJournals(ctx, req.name, req.selector)
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

// selectJournals lists the journals of a collection that the selector picks, in name order.
func (d *RuntimeDataPlane) selectJournals(ctx context.Context, collection string, sel journal.Selector) ([]string, error) {
	infos, err := d.journals.ListJournals(ctx, collection)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, info := range infos {
		ok, err := sel.MatchesJournal(info.Template, info.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			names = append(names, info.Name)
		}
	}
	return names, nil
}

// streamDocs writes the committed documents of the journals, and with follow, of journals created
// later, until they are read (or, following, until ctx ends).
func (d *RuntimeDataPlane) streamDocs(ctx context.Context, req readRequest, journals []string, out *lineWriter) error {
	read := func(ctx context.Context, name string) error {
		r, err := journal.ReadCommitted(ctx, d.journals, name, journal.Checkpoint{}, req.follow)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			doc, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if doc.IsAck() || (!req.notBefore.IsZero() && doc.UUID.PublishedAt().Before(req.notBefore)) {
				continue
			}
			if err := out.writeLine(doc.Raw); err != nil {
				return err
			}
		}
	}
	if !req.follow {
		for _, name := range journals {
			if err := read(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}
	out.flushNow() // the client sees the stream open even before the first document
	return d.followJournals(ctx, req, read)
}

// followJournals reads each journal of the collection in its own goroutine, starting readers for
// journals as they appear, until ctx ends (the client left: not an error) or a reader fails.
func (d *RuntimeDataPlane) followJournals(ctx context.Context, req readRequest, read func(context.Context, string) error) error {
	readCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[string]bool{}
	ticker := time.NewTicker(journalPollInterval)
	defer ticker.Stop()
	for {
		names, err := d.selectJournals(readCtx, req.name, req.selector)
		if err != nil {
			stop(err)
		}
		for _, name := range names {
			if started[name] {
				continue
			}
			started[name] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := read(readCtx, name); err != nil && readCtx.Err() == nil {
					stop(err)
				}
			}()
		}
		select {
		case <-readCtx.Done():
			if ctx.Err() != nil {
				return nil
			}
			return context.Cause(readCtx)
		case <-ticker.C:
		}
	}
}

// lineWriter writes whole lines from concurrent readers, flushing each one when following (the
// client waits for every document as it commits).
type lineWriter struct {
	mu    sync.Mutex
	w     http.ResponseWriter
	flush bool
}

func (l *lineWriter) writeLine(b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(b[:len(b):len(b)], '\n')); err != nil {
		return err
	}
	if l.flush {
		return http.NewResponseController(l.w).Flush()
	}
	return nil
}

func (l *lineWriter) flushNow() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = http.NewResponseController(l.w).Flush() // a failed flush shows up as a failed write next
}
