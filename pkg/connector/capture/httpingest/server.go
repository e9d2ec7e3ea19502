package httpingest

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flowctl/flowctl/pkg/schema"
)

// maxBodyBytes is the largest request body accepted, after decompression: Flow's largest document.
const maxBodyBytes = 64 << 20

// binding is what the server knows of one binding.
type binding struct {
	index    int
	route    route
	idHeader string
	schema   *schema.Schema // the collection's write schema, or nil to leave validation to the runtime
}

// server answers webhook requests.
type server struct {
	bindings  []binding
	authValue string // the full expected Authorization header, or "" when no token is required
	publisher *publisher
	log       *slog.Logger
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body := s.handle(r)
	if status != http.StatusOK {
		s.log.Debug("refused a request", "path", r.URL.Path, "status", status, "error", body["error"])
	}
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", "GET, POST")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *server) handle(r *http.Request) (int, map[string]any) {
	b, params, ok := s.lookup(r.URL.Path)
	if !ok {
		return http.StatusNotFound, map[string]any{"error": "not found"}
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet:
		// Okta verifies a webhook by expecting its challenge header echoed back; Flow's connector obliges.
		if challenge := r.Header.Get("X-Okta-Verification"); challenge != "" {
			return http.StatusOK, map[string]any{"verification": challenge}
		}
		fallthrough
	default:
		return http.StatusMethodNotAllowed, map[string]any{"error": fmt.Sprintf("method %s is not allowed: POST a JSON object or array", r.Method)}
	}
	if status, problem := s.authorize(r); problem != "" {
		return status, map[string]any{"error": problem}
	}
	published, err := s.ingest(r, b, params)
	var reqErr *requestError
	switch {
	case errors.As(err, &reqErr):
		out := map[string]any{"error": reqErr.message}
		for k, v := range reqErr.detail {
			out[k] = v
		}
		return reqErr.status, out
	case err != nil:
		s.log.Error("failed to publish a request", "path", r.URL.Path, "error", err)
		return http.StatusInternalServerError, map[string]any{"error": err.Error()}
	}
	return http.StatusOK, map[string]any{"published": published}
}

// lookup finds the binding of a request path: a path without parameters first, then the first
// parameterised one that matches.
func (s *server) lookup(path string) (*binding, map[string]string, bool) {
	for i := range s.bindings {
		if b := &s.bindings[i]; !b.route.params && b.route.path == path {
			return b, nil, true
		}
	}
	for i := range s.bindings {
		if b := &s.bindings[i]; b.route.params {
			if params, ok := b.route.match(path); ok {
				return b, params, true
			}
		}
	}
	return nil, nil, false
}

// authorize answers 401 when the Authorization header is missing and 403 when it is wrong, as
// Flow's connector does.
func (s *server) authorize(r *http.Request) (int, string) {
	if s.authValue == "" {
		return 0, ""
	}
	switch got := r.Header.Get("Authorization"); {
	case got == "":
		return http.StatusUnauthorized, "missing required header: Authorization"
	case got != s.authValue:
		return http.StatusForbidden, "invalid authorization token"
	}
	return 0, ""
}

// ingest publishes a request's documents and waits for the runtime to commit them.
func (s *server) ingest(r *http.Request, b *binding, params map[string]string) (int, error) {
	body, err := readBody(r)
	if err != nil {
		return 0, err
	}
	objects, isArray, err := parseBody(body)
	if err != nil {
		return 0, err
	}
	meta, err := newRequestMeta(r, b.route, params, b.idHeader)
	if err != nil {
		return 0, err
	}
	// Every document is prepared and validated before any is sent: a request is all or nothing.
	docs := make([]document, len(objects))
	for i, obj := range objects {
		if err := meta.apply(obj, i, isArray); err != nil {
			return 0, err
		}
		if b.schema != nil {
			if err := b.schema.Validate(obj); err != nil {
				return 0, validationFailure(i, err)
			}
		}
		encoded, err := json.Marshal(obj)
		if err != nil {
			return 0, err
		}
		docs[i] = document{binding: b.index, doc: encoded}
	}
	if len(docs) == 0 {
		return 0, nil
	}
	wait, err := s.publisher.publish(docs)
	if err != nil {
		return 0, err
	}
	select {
	case err := <-wait:
		return len(docs), err
	case <-r.Context().Done():
		// The client left; its documents still commit with their checkpoint.
		return 0, r.Context().Err()
	}
}

// readBody reads the body, decompressing gzip, and refuses more than maxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	var body io.Reader = r.Body
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, badRequest("the body is not valid gzip: %v", err)
		}
		defer zr.Close()
		body = zr
	default:
		return nil, &requestError{status: http.StatusUnsupportedMediaType,
			message: fmt.Sprintf("Content-Encoding %q is not supported: send the body uncompressed or gzip-compressed", enc)}
	}
	data, err := io.ReadAll(io.LimitReader(body, maxBodyBytes+1))
	if err != nil {
		return nil, badRequest("reading the body: %v", err)
	}
	if len(data) > maxBodyBytes {
		return nil, &requestError{status: http.StatusRequestEntityTooLarge,
			message: fmt.Sprintf("the body is larger than %d MiB: split it into several requests", maxBodyBytes>>20)}
	}
	return data, nil
}

// validationFailure explains which document broke which rules, in the shape of JSON Schema's
// basic output.
func validationFailure(doc int, err error) *requestError {
	var errs []map[string]any
	var verr *schema.ValidationError
	if errors.As(err, &verr) {
		for _, v := range verr.Violations {
			errs = append(errs, map[string]any{"instanceLocation": v.Instance, "absoluteKeywordLocation": v.Schema, "error": v.Message})
		}
	} else {
		errs = append(errs, map[string]any{"error": err.Error()})
	}
	return &requestError{status: http.StatusBadRequest, message: "request body failed validation",
		detail: map[string]any{"document": doc, "basicOutput": map[string]any{"valid": false, "errors": errs}}}
}
