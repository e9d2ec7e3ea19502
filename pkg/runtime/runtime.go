package runtime

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/journal"
)

// Options configure a Runtime.
type Options struct {
	Built   *catalog.Built
	Client  journal.Client
	DataDir string // shard recovery stores go under DataDir/shards
	Now     func() time.Time
	Logger  *slog.Logger
	// OpenDerive opens derivation engines; derivations fail without one.
	OpenDerive OpenDeriveEngine
	// RestartCaptures re-runs a capture whose connector exited cleanly after its interval (Flow's
	// long-running behaviour); without it a finished capture stays done.
	RestartCaptures bool
	// Backoff is the first delay before restarting a failed task; it doubles up to a minute.
	Backoff time.Duration
	// DrainTimeout bounds how long Run waits, once its context ends, for shards to commit the
	// transactions in progress before it cancels their I/O (default 30s).
	DrainTimeout time.Duration
	// StopOnFailure makes a task's failure stop every task (draining them) and Run return it,
	// instead of restarting the task: a run to completion (develop --exit-when-idle) must end.
	StopOnFailure bool
	// WriteOps writes every task's logs and stats to the ops collections (OpsLogsCollection,
	// OpsStatsCollection), which Client must know (OpsCollectionSpecs).
	WriteOps bool
}

// Runtime runs every enabled task of a built catalog as a shard. Update replaces the catalog
// while it runs.
type Runtime struct {
	opts     Options
	ops      *opsSink // nil without Options.WriteOps
	notifier *Notifier
	client   journal.Client // notifies notifier on every append
	ingestMu sync.Mutex
	ingest   *journal.Publisher // publishes Ingest transactions, one at a time

	mu      sync.Mutex
	env     *shardEnv  // of the current catalog
	tasks   []*taskRun // of the current catalog
	running *runState  // while Run runs
	updates sync.Mutex // one Update at a time
}

// runState is what Run starts tasks under, kept so that Update can start tasks too.
type runState struct {
	shardCtx, ctx context.Context // shards' I/O, and the stop signal
	fail          context.CancelCauseFunc
	wg            sync.WaitGroup
}

// New prepares a Runtime; Run starts it.
func New(opts Options) *Runtime {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	ops, logger := opsFor(opts)
	opts.Logger = logger
	n := NewNotifier()
	env := &shardEnv{built: opts.Built, client: NotifyingClient{Client: opts.Client, Notifier: n}, notifier: n,
		dataDir: opts.DataDir, now: opts.Now, logger: opts.Logger, openDerive: opts.OpenDerive}
	return &Runtime{opts: opts, ops: ops, env: env, notifier: n, client: env.client, tasks: tasksOf(env)}
}

// Client is the runtime's journal client: appends through it wake the runtime's readers at once.
func (r *Runtime) Client() journal.Client { return r.client }

// Run runs every task until ctx ends, then drains: each shard commits the transaction in progress
// and stops, so that a stop (SIGINT, SIGTERM) loses no work and needs no recovery. Shards still
// busy after DrainTimeout have their I/O canceled. A failed task is logged and restarted with
// back-off, or with StopOnFailure stops the run, and Run returns its error. Run also returns
// once every task has ended by itself (finite captures without RestartCaptures).
func (r *Runtime) Run(ctx context.Context) error {
	defer r.ops.runWhile()() // last: after the tasks' final commits
	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	shardCtx, cancelIO := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelIO()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		select {
		case <-time.After(r.opts.DrainTimeout):
			r.opts.Logger.Warn("tasks did not finish their transactions in time; aborting them", "timeout", r.opts.DrainTimeout)
			cancelIO()
		case <-finished:
		}
	}()
	run := &runState{shardCtx: shardCtx, ctx: ctx, fail: fail}
	r.mu.Lock()
	r.running = run
	for _, t := range r.tasks {
		r.start(run, t)
	}
	r.mu.Unlock()
	run.wg.Wait()
	r.mu.Lock()
	r.running = nil
	r.mu.Unlock()

	var failed *TaskError
	if err := context.Cause(ctx); errors.As(err, &failed) {
		return failed
	}
	return nil
}

// start runs a task under run, with a stop of its own so that Update can stop it alone.
// Callers hold r.mu.
func (r *Runtime) start(run *runState, t *taskRun) {
	stop, cancel := context.WithCancel(run.ctx)
	t.stop, t.done = cancel, make(chan struct{})
	t.stats.ops = r.ops // each committed transaction writes its ops stats document
	run.wg.Add(1)
	go func() {
		defer run.wg.Done()
		defer close(t.done)
		defer cancel()
		r.supervise(run.shardCtx, stop, t, run.fail)
	}()
}

// Update replaces the running catalog: tasks that are new or changed (anything they run with:
// endpoint, bindings, collection schemas and keys, lambdas, migrations) start, after the old
// version of a changed task has drained; removed tasks drain and stop; unchanged tasks keep
// running. Every task keeps its state (checkpoint, connector state, derivation database) in the
// data directory. New collections must already be known to the journal client.
func (r *Runtime) Update(built *catalog.Built) {
	r.updates.Lock()
	defer r.updates.Unlock()
	r.mu.Lock()
	if run := r.running; run != nil {
		// Run must not end while the update has stopped old tasks and not yet started new ones.
		run.wg.Add(1)
		defer run.wg.Done()
	}
	env := *r.env
	env.built = built
	next := tasksOf(&env)
	current := map[string]*taskRun{}
	for _, t := range r.tasks {
		current[t.key()] = t
	}
	var stopping, starting []*taskRun
	for i, t := range next {
		old := current[t.key()]
		delete(current, t.key())
		if old != nil && old.fingerprint == t.fingerprint {
			next[i] = old // unchanged: keep it running
			continue
		}
		if old != nil {
			stopping = append(stopping, old)
			t.previous = old
		}
		starting = append(starting, t)
	}
	for _, t := range current {
		stopping = append(stopping, t)
	}
	r.tasks, r.env = next, &env
	r.ops.setCatalog(built)
	r.mu.Unlock()

	for _, t := range stopping {
		r.opts.Logger.Info("stopping task for the new catalog", "task", t.name, "type", t.kind)
		if t.stop != nil {
			t.stop()
			<-t.done
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range starting {
		if t.previous != nil { // a restarted task keeps counting
			prev := t.previous.stats.get()
			t.stats.update(func(s *TaskStats) {
				s.DocsIn, s.BytesIn, s.DocsOut, s.BytesOut = prev.DocsIn, prev.BytesIn, prev.DocsOut, prev.BytesOut
				s.Commits, s.LastCommit, s.Restarts = prev.Commits, prev.LastCommit, prev.Restarts+1
			})
			t.previous = nil
		}
		r.opts.Logger.Info("starting task of the new catalog", "task", t.name, "type", t.kind)
		if r.running != nil && r.running.ctx.Err() == nil {
			r.start(r.running, t)
		}
	}
}

// Built is the catalog the runtime runs now.
func (r *Runtime) Built() *catalog.Built {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.env.built
}

// TaskError is the failure of a task that stopped a run (Options.StopOnFailure).
type TaskError struct {
	Task string
	Err  error
}

func (e *TaskError) Error() string { return "task " + e.Task + " failed: " + e.Err.Error() }

func (e *TaskError) Unwrap() error { return e.Err }

// supervise runs one task, restarting it after failures (and, if asked, after a finite capture's
// interval) until ctx ends. With StopOnFailure a failure ends the run through fail instead.
func (r *Runtime) supervise(shardCtx, ctx context.Context, t *taskRun, fail context.CancelCauseFunc) {
	log := r.opts.Logger.With("task", t.name, "type", t.kind)
	backoff := r.opts.Backoff
	for ctx.Err() == nil {
		err := t.run(shardCtx, ctx, &t.stats)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err == nil && t.finite {
			log.Info("capture finished")
			t.stats.update(func(s *TaskStats) { s.Idle = true })
			if !r.opts.RestartCaptures {
				return
			}
			wait = t.interval
			if wait <= 0 {
				wait = 5 * time.Minute // Flow's default capture interval
			}
		} else {
			if err == nil {
				err = errors.New("task stopped without an error")
			}
			if r.opts.StopOnFailure {
				log.Error("task failed; stopping every task", "error", err)
				t.stats.update(func(s *TaskStats) { s.LastError, s.Idle = err.Error(), false })
				fail(&TaskError{Task: t.name, Err: err})
				return
			}
			log.Error("task failed; restarting", "error", err, "after", backoff)
			t.stats.update(func(s *TaskStats) { s.LastError, s.Idle = err.Error(), false; s.Restarts++ })
			wait, backoff = backoff, min(2*backoff, time.Minute)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Stats reports every task's stats, sorted by task name.
func (r *Runtime) Stats() []TaskStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]TaskStats, 0, len(r.tasks))
	for _, t := range r.tasks {
		out = append(out, t.stats.get())
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Task < out[b].Task })
	return out
}

// Idle reports whether every finite capture has finished and every reading task has read
// everything appended so far.
func (r *Runtime) Idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq := r.notifier.Seq()
	for _, t := range r.tasks {
		s := t.stats.get()
		if !s.Idle || (!t.finite && s.idleSeq != seq) {
			return false
		}
	}
	return true
}
