package controlplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// DataPlaneOptions configure a RuntimeDataPlane.
type DataPlaneOptions struct {
	// DataDir holds the collections' fragments and the shards' recovery stores (under DataDir/dataplane).
	DataDir string
	Logger  *slog.Logger
	// Backoff is the first delay before a failed task restarts (runtime.Options.Backoff).
	Backoff time.Duration
	// DrainTimeout bounds how long a changed or deleted task may take to commit its transaction in progress.
	DrainTimeout time.Duration
	// OpenDerive opens derivation engines (default: pkg/runtime/derive's SQLite engine).
	OpenDerive runtime.OpenDeriveEngine
	// Connectors is checked again before tasks run: a task published under a looser policy than
	// the server now has does not run (the zero value allows built-ins without file paths).
	Connectors ConnectorPolicy
}

// RuntimeDataPlane runs every enabled capture, derivation and materialization of the live catalog
// with pkg/runtime. Each publication updates the running catalog in place (runtime.Update): only
// the tasks it added, changed or deleted start or stop, so a publication touching one task does not
// pause the others. Changed tasks drain their transactions and resume from their recovery stores,
// so an update loses and repeats nothing.
type RuntimeDataPlane struct {
	store    *Store
	opts     DataPlaneOptions
	journals *journal.Local
	reload   chan struct{}   // buffered(1): reloads asked for while one runs coalesce into one
	stopping <-chan struct{} // closed when the data plane's context ends: following reads end too
	done     chan struct{}   // closed when the reload loop has stopped the runtime and returned

	mu      sync.Mutex
	status  dataPlaneState
	running *runtime.Runtime
}

// dataPlaneState is what the data plane last did, for GET /api/v1/tasks.
type dataPlaneState struct {
	appliedPubID string // newest publication the running catalog includes
	wantedPubID  string // newest publication told to Apply
	err          error  // why the newest live catalog is not running, if it is not
}

// dataPlaneDir is the data plane's directory under flowd's data directory, apart from its database.
const dataPlaneDir = "dataplane"

// StartDataPlane opens the data directory's journals and starts running the live catalog; it runs
// until ctx ends, then drains the tasks (Wait waits for that).
func StartDataPlane(ctx context.Context, store *Store, opts DataPlaneOptions) (*RuntimeDataPlane, error) {
	if opts.DataDir == "" {
		return nil, errors.New("the data plane needs a data directory")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OpenDerive == nil {
		opts.OpenDerive = derive.OpenShard
	}
	opts.DataDir = filepath.Join(opts.DataDir, dataPlaneDir)
	local, err := journal.OpenLocal(journal.LocalOptions{DataDir: opts.DataDir, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("opening the data plane's journals: %w", err)
	}
	d := &RuntimeDataPlane{store: store, opts: opts, journals: local, reload: make(chan struct{}, 1),
		stopping: ctx.Done(), done: make(chan struct{})}
	d.reload <- struct{}{} // start from the live catalog
	go d.loop(ctx)
	return d, nil
}

// Apply implements DataPlane: it asks for the live catalog to be run again and returns at once, so a
// publication does not wait for tasks to drain.
func (d *RuntimeDataPlane) Apply(_ context.Context, pubID string, changed []api.LiveSpec) error {
	d.mu.Lock()
	d.status.wantedPubID = max(d.status.wantedPubID, pubID)
	d.mu.Unlock()
	d.opts.Logger.Info("publication committed; reloading the data plane", "publication", pubID, "specs", len(changed))
	select {
	case d.reload <- struct{}{}:
	default: // a reload is already pending, and it will read this publication's specs
	}
	return nil
}

// Wait waits until the data plane has stopped (after its context ended) and closes its journals.
func (d *RuntimeDataPlane) Wait() error {
	<-d.done
	return d.journals.Close()
}

// loop runs the live catalog, and updates it after each reload request, until ctx ends.
func (d *RuntimeDataPlane) loop(ctx context.Context) {
	defer close(d.done)
	var rt *runtime.Runtime // running, or nil while the catalog has no task
	stop := func() {}       // stops rt and waits for its drain
	defer func() { stop() }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.reload:
		}
		// Publications told to Apply before the read are committed, so the read includes them.
		d.mu.Lock()
		wanted := d.status.wantedPubID
		d.mu.Unlock()
		built, newest, err := liveCatalog(ctx, d.store, d.opts.Connectors, d.opts.Logger)
		if err != nil {
			// Keep the tasks that run: a live catalog that stopped building is a bug to report,
			// not a reason to stop the pipelines.
			d.opts.Logger.Error("the live catalog does not build; the data plane keeps running the previous one", "error", err)
			d.setStatus(func(s *dataPlaneState) { s.err = err })
			continue
		}
		if err := runtime.AddCollections(d.journals, built); err != nil {
			d.opts.Logger.Error("cannot run the live catalog; the data plane keeps running the previous one", "error", err)
			d.setStatus(func(s *dataPlaneState) { s.err, s.appliedPubID = err, max(newest, wanted) })
			continue
		}
		if rt == nil {
			rt = d.newRuntime(built)
			stop = d.run(ctx, rt)
		} else {
			rt.Update(built)
		}
		// A runtime without tasks would return from Run by itself and start nothing on a later
		// Update: stop it, and start afresh when tasks come back.
		if len(rt.Stats()) == 0 {
			stop()
			rt, stop = nil, func() {}
		}
		d.setStatus(func(s *dataPlaneState) { s.err, s.appliedPubID = nil, max(newest, wanted) })
		d.opts.Logger.Info("data plane running the live catalog", "publication", newest,
			"captures", len(built.Captures), "materializations", len(built.Materializations))
	}
}

// run starts rt and returns a function that stops it, waiting for its tasks to drain.
func (d *RuntimeDataPlane) run(ctx context.Context, rt *runtime.Runtime) (stop func()) {
	rtCtx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { _ = rt.Run(rtCtx); close(finished) }()
	d.mu.Lock()
	d.running = rt
	d.mu.Unlock()
	return func() {
		cancel()
		<-finished
		d.mu.Lock()
		d.running = nil
		d.mu.Unlock()
	}
}

func (d *RuntimeDataPlane) setStatus(fn func(*dataPlaneState)) {
	d.mu.Lock()
	fn(&d.status)
	d.mu.Unlock()
}
