package httpingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// redactedHeaders are left out of /_meta/headers: secrets, and headers describing the exchange
// rather than the data. The same set as Flow's connector.
var redactedHeaders = map[string]bool{"authorization": true, "cookie": true, "content-type": true, "accept": true}

// requestError is a problem with a request, answered with its status and message.
type requestError struct {
	status  int
	message string
	detail  map[string]any // more properties of the JSON error body
}

func (e *requestError) Error() string { return e.message }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// parseBody decodes a request body: one JSON object, or an array of them (the first non-space
// byte decides, as in Flow's connector).
func parseBody(body []byte) (objects []map[string]any, isArray bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if isArray = len(trimmed) > 0 && trimmed[0] == '['; isArray {
		err = dec.Decode(&objects)
		for i, o := range objects {
			if err == nil && o == nil {
				err = fmt.Errorf("array element %d is null, not an object", i)
			}
		}
	} else {
		var object map[string]any
		if err = dec.Decode(&object); err == nil && object == nil {
			err = fmt.Errorf("the body is null, not an object")
		}
		objects = []map[string]any{object}
	}
	if err == nil && dec.More() {
		err = fmt.Errorf("more than one JSON value in the body")
	}
	if err != nil {
		return nil, false, badRequest("invalid json: %v (send one JSON object, or an array of objects)", err)
	}
	return objects, isArray, nil
}

// requestMeta is what the connector adds under _meta, shared by a request's documents.
type requestMeta struct {
	id         string // from idFromHeader, or "" for a random UUID per document
	receivedAt string
	reqPath    string
	headers    map[string]any
	query      map[string]any
	pathParams map[string]any
}

func newRequestMeta(r *http.Request, rt route, pathParams map[string]string, idHeader string) (*requestMeta, error) {
	m := &requestMeta{
		receivedAt: time.Now().UTC().Format(time.RFC3339Nano),
		reqPath:    rt.path,
		headers:    map[string]any{},
		query:      map[string]any{},
		pathParams: map[string]any{},
	}
	if idHeader != "" {
		m.id = r.Header.Get(idHeader)
		if m.id == "" {
			return nil, badRequest("missing required header: %s", idHeader)
		}
	}
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if last := values[len(values)-1]; !redactedHeaders[name] && utf8.ValidString(last) {
			m.headers[name] = last
		}
	}
	if r.Host != "" { // Go moves Host out of the header map; Flow's connector records it with the rest
		m.headers["host"] = r.Host
	}
	for name, values := range r.URL.Query() {
		m.query[name] = values[len(values)-1]
	}
	for name, value := range pathParams {
		if unescaped, err := url.PathUnescape(value); err == nil {
			value = unescaped
		}
		m.pathParams[name] = value
	}
	return m, nil
}

// apply sets _meta on the i-th document of the request; a header id gets "/<i>" appended in an
// array, so that each document keeps its own key.
func (m *requestMeta) apply(doc map[string]any, i int, inArray bool) error {
	meta, ok := doc["_meta"].(map[string]any)
	if _, present := doc["_meta"]; present && !ok {
		return badRequest("request object contains a non-object '_meta' property, which is forbidden")
	} else if !ok {
		meta = map[string]any{}
		doc["_meta"] = meta
	}
	switch {
	case m.id == "":
		meta["webhookId"] = newUUID()
	case inArray:
		meta["webhookId"] = m.id + "/" + strconv.Itoa(i)
	default:
		meta["webhookId"] = m.id
	}
	meta["receivedAt"] = m.receivedAt
	meta["headers"] = m.headers
	meta["reqPath"] = m.reqPath
	if len(m.pathParams) > 0 {
		meta["pathParams"] = m.pathParams
	}
	// Most senders use no query parameters; leaving the property out then spares materializations a column.
	if len(m.query) > 0 {
		meta["query"] = m.query
	}
	return nil
}
