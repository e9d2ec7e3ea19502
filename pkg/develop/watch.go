package develop

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// catalogWatcher checks the catalog again whenever one of its files changes, and hands a catalog
// that builds to the runtime. A catalog that fails keeps the running version, and the errors are
// logged and reported by GET /status until a later version builds.
type catalogWatcher struct {
	source string
	local  *journal.Local
	rt     *runtime.Runtime
	logger *slog.Logger

	stamps map[string]fileStamp // of the files of the last catalog checked

	mu     sync.Mutex
	status CatalogStatus
}

// CatalogStatus is the state of the catalog develop runs, as GET /status reports it.
type CatalogStatus struct {
	Source string `json:"source"`
	// Version counts the catalog versions applied, the first one included.
	Version int `json:"version"`
	// Errors are those of the last changed catalog, if it failed (the previous version runs on).
	Errors string `json:"errors,omitempty"`
}

// fileStamp tells whether a file changed.
type fileStamp struct {
	modified time.Time
	size     int64
	exists   bool
}

func newCatalogWatcher(source string, built *catalog.Built, local *journal.Local, rt *runtime.Runtime, logger *slog.Logger) *catalogWatcher {
	return &catalogWatcher{source: source, local: local, rt: rt, logger: logger,
		stamps: stampsOf(built), status: CatalogStatus{Source: source, Version: 1}}
}

// run checks the catalog's files every interval until ctx ends.
func (w *catalogWatcher) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			w.check(ctx)
		}
	}
}

// check applies the catalog if one of its files changed since the last check. Files are stamped
// before they are read, so that an edit landing during the check is seen by the next one.
func (w *catalogWatcher) check(ctx context.Context) {
	seen := map[string]fileStamp{}
	changed := false
	for path, stamp := range w.stamps {
		seen[path] = stampOf(path)
		changed = changed || seen[path] != stamp
	}
	if !changed {
		return
	}
	built, err := LoadCatalog(ctx, w.source)
	if err == nil {
		err = runtime.AddCollections(w.local, built)
	}
	if err != nil {
		w.stamps = seen
		w.logger.Error("the changed catalog fails its check; the previous version keeps running", "source", w.source, "errors", err.Error())
		w.mu.Lock()
		w.status.Errors = err.Error()
		w.mu.Unlock()
		return
	}
	w.stamps = stampsOf(built)
	for path := range w.stamps {
		if stamp, ok := seen[path]; ok {
			w.stamps[path] = stamp
		}
	}
	w.logger.Info("the catalog changed; updating tasks", "source", w.source)
	w.rt.Update(built)
	w.mu.Lock()
	w.status.Version++
	w.status.Errors = ""
	w.mu.Unlock()
}

func (w *catalogWatcher) current() CatalogStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

// stampsOf stamps every local file a catalog was loaded from.
func stampsOf(built *catalog.Built) map[string]fileStamp {
	out := map[string]fileStamp{}
	for resource := range built.Catalog.Resources {
		u, err := url.Parse(resource)
		if err != nil || u.Scheme != "file" {
			continue
		}
		out[u.Path] = stampOf(u.Path)
	}
	return out
}

func stampOf(path string) fileStamp {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{modified: info.ModTime(), size: info.Size(), exists: true}
}
