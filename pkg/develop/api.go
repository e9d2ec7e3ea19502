package develop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/flowctl/flowctl/pkg/runtime"
)

// DefaultMaxIngestBytes bounds the body of one POST /ingest request.
const DefaultMaxIngestBytes = 64 << 20

// newAPI serves GET /status and POST /ingest/<collection>. watcher is nil when the catalog is not
// watched.
func newAPI(rt *runtime.Runtime, watcher *catalogWatcher, maxBody int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		status := map[string]any{"idle": rt.Idle(), "tasks": rt.Stats()}
		if watcher != nil {
			status["catalog"] = watcher.current()
		}
		writeJSON(w, http.StatusOK, status)
	})
	mux.HandleFunc("POST /ingest/{collection...}", func(w http.ResponseWriter, r *http.Request) {
		ingest(w, r, rt, maxBody)
	})
	return mux
}

// ingest publishes a request's documents as one transaction and answers once they are durable.
func ingest(w http.ResponseWriter, r *http.Request, rt *runtime.Runtime, maxBody int64) {
	name := r.PathValue("collection")
	coll := rt.Built().Collection(name)
	if coll == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("the catalog has no collection %q; POST to /ingest/<collection name>", name))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; send the documents in several requests", maxBody))
		return
	} else if err != nil {
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	docs, err := parseIngestBody(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(docs) == 0 {
		writeError(w, http.StatusBadRequest, "the body has no documents; send JSON documents, JSON lines or an array of documents")
		return
	}
	values := make([]json.RawMessage, len(docs))
	for i, d := range docs {
		values[i] = d.Raw
	}
	err = rt.Ingest(r.Context(), coll, values)
	var invalid *runtime.IngestError
	if errors.As(err, &invalid) {
		bad := &bodyError{Index: invalid.Index + 1, Line: docs[invalid.Index].Line, Err: invalid.Err}
		writeError(w, http.StatusBadRequest, bad.Error()+"; nothing was ingested")
		return
	} else if err != nil {
		writeError(w, http.StatusInternalServerError, "publishing: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"published": len(docs)})
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
