package develop

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// newAPI serves GET /status and POST /ingest/<collection>.
func newAPI(rt *runtime.Runtime, built *catalog.Built) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"idle": rt.Idle(), "tasks": rt.Stats()})
	})
	mux.HandleFunc("POST /ingest/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/ingest/")
		coll := built.Collection(name)
		if coll == nil {
			http.Error(w, "no collection "+name+" in the catalog", http.StatusNotFound)
			return
		}
		n, err := rt.Ingest(r.Context(), coll, http.MaxBytesReader(w, r.Body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"published": n})
	})
	return mux
}
