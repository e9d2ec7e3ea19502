package controlplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// DefaultMaxBodyBytes bounds request bodies: a draft of thousands of specs fits, a runaway upload not.
const DefaultMaxBodyBytes = 16 << 20

var draftIDRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// Handler returns the HTTP JSON API. Every route but /healthz needs `Authorization: Bearer TOKEN`.
func (cp *ControlPlane) Handler(maxBodyBytes int64) http.Handler {
	if maxBodyBytes <= 0 {
		maxBodyBytes = DefaultMaxBodyBytes
	}
	h := &handler{cp: cp, maxBody: maxBodyBytes}
	mux := http.NewServeMux()
	route := func(pattern string, byMethod map[string]authedFunc) {
		mux.HandleFunc(pattern, h.dispatch(byMethod))
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	route("/api/v1/me", map[string]authedFunc{"GET": h.me})
	route("/api/v1/tokens", map[string]authedFunc{"GET": h.listTokens, "POST": h.createToken})
	route("/api/v1/tokens/{id}", map[string]authedFunc{"DELETE": h.revokeToken})
	route("/api/v1/drafts", map[string]authedFunc{"GET": h.listDrafts, "POST": h.createDraft})
	route("/api/v1/drafts/{id}", map[string]authedFunc{"GET": h.getDraft, "DELETE": h.deleteDraft})
	route("/api/v1/drafts/{id}/specs", map[string]authedFunc{"PUT": h.upsertSpecs, "DELETE": h.removeSpecs})
	route("/api/v1/drafts/{id}/publish", map[string]authedFunc{"POST": h.publish})
	route("/api/v1/live-specs", map[string]authedFunc{"GET": h.liveSpecs})
	route("/api/v1/history", map[string]authedFunc{"GET": h.history})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{http.StatusNotFound, api.CodeNotFound, "no such API route: " + r.Method + " " + r.URL.Path, nil})
	})
	return mux
}

type handler struct {
	cp      *ControlPlane
	maxBody int64
}

type authedFunc func(ctx context.Context, p *Principal, r *http.Request) (status int, body any, err error)

// dispatch checks the method, authenticates, runs fn and writes its result or error.
func (h *handler) dispatch(byMethod map[string]authedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fn, ok := byMethod[r.Method]
		if !ok {
			methods := make([]string, 0, len(byMethod))
			for m := range byMethod {
				methods = append(methods, m)
			}
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeError(w, &Error{http.StatusMethodNotAllowed, api.CodeNotAllowed, r.Method + " is not allowed on " + r.URL.Path, nil})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, err := h.cp.Store.Authenticate(r.Context(), strings.TrimSpace(token))
		if errors.Is(err, ErrUnauthenticated) {
			writeError(w, &Error{http.StatusUnauthorized, api.CodeUnauthorized, err.Error(), nil})
			return
		} else if err != nil {
			h.internal(w, r, err)
			return
		}
		status, body, err := fn(r.Context(), p, r)
		if err != nil {
			var apiErr *Error
			if errors.As(err, &apiErr) {
				writeError(w, apiErr)
			} else {
				h.internal(w, r, err)
			}
			return
		}
		writeJSON(w, status, body)
	}
}

func (h *handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.cp.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, &Error{http.StatusInternalServerError, api.CodeInternal, "internal server error; the server log has the cause", nil})
}

// decode reads exactly one JSON object into v, refusing unknown fields, oversized bodies and trailing data.
func (h *handler) decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return &Error{http.StatusUnsupportedMediaType, api.CodeUnsupportedCT, "send the request body as application/json, not " + ct, nil}
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if extra := dec.Decode(&json.RawMessage{}); extra != io.EOF {
			err = fmt.Errorf("the body holds more than one JSON value")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &Error{http.StatusRequestEntityTooLarge, api.CodeTooLarge,
			fmt.Sprintf("request body is larger than %d bytes: split the draft into several requests", tooBig.Limit), nil}
	case errors.Is(err, io.EOF):
		return badRequestf("the request body is empty: send a JSON object")
	default:
		return badRequestf("malformed request body: %v", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body) // the client went away: nothing to do
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, api.ErrorBody{Error: api.ErrorDetail{Code: e.Code, Message: e.Message, Details: e.Details}})
}

// draftID reads and checks the {id} path segment.
func draftID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !draftIDRe.MatchString(id) {
		return "", notFoundf("%q is not a draft id (16 hex digits): list yours with `flowctl draft list`", id)
	}
	return id, nil
}
