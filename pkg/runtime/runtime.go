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
}

// Runtime runs every enabled task of a built catalog as a shard.
type Runtime struct {
	opts     Options
	env      *shardEnv
	notifier *Notifier
	tasks    []*taskRun
	ingestMu sync.Mutex
	ingest   *journal.Publisher // publishes Ingest transactions, one at a time
}

type taskRun struct {
	name, kind string
	stats      statsCell
	// run runs the shard's transactions with ctx until stop ends, then commits the transaction in
	// progress and returns.
	run    func(ctx, stop context.Context, stats *statsCell) error
	finite bool // a capture, done when its connector exits
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
	n := NewNotifier()
	env := &shardEnv{built: opts.Built, client: NotifyingClient{Client: opts.Client, Notifier: n}, notifier: n,
		dataDir: opts.DataDir, now: opts.Now, logger: opts.Logger, openDerive: opts.OpenDerive}
	r := &Runtime{opts: opts, env: env, notifier: n}
	for _, c := range opts.Built.Captures {
		if c.Def.Shards != nil && c.Def.Shards.Disable {
			continue
		}
		c := c
		r.tasks = append(r.tasks, &taskRun{name: c.Name, kind: TaskCapture, finite: true,
			run: func(ctx, stop context.Context, s *statsCell) error { return runCapture(ctx, stop, env, c, s) }})
	}
	for _, c := range opts.Built.Collections {
		if c.Derivation == nil || (c.Derivation.Def.Shards != nil && c.Derivation.Def.Shards.Disable) {
			continue
		}
		c := c
		r.tasks = append(r.tasks, &taskRun{name: c.Name, kind: TaskDerivation,
			run: func(ctx, stop context.Context, s *statsCell) error { return runDerivation(ctx, stop, env, c, s) }})
	}
	for _, m := range opts.Built.Materializations {
		if m.Def.Shards != nil && m.Def.Shards.Disable {
			continue
		}
		m := m
		r.tasks = append(r.tasks, &taskRun{name: m.Name, kind: TaskMaterialization,
			run: func(ctx, stop context.Context, s *statsCell) error { return runMaterialization(ctx, stop, env, m, s) }})
	}
	for _, t := range r.tasks {
		t.stats.s.Task, t.stats.s.Type = t.name, t.kind
	}
	return r
}

// Client is the runtime's journal client: appends through it wake the runtime's readers at once.
func (r *Runtime) Client() journal.Client { return r.env.client }

// Run runs every task until ctx ends, then drains: each shard commits the transaction in progress
// and stops, so that a stop (SIGINT, SIGTERM) loses no work and needs no recovery. Shards still
// busy after DrainTimeout have their I/O canceled. A failed task is logged and restarted with
// back-off, or with StopOnFailure stops the run, and Run returns its error.
func (r *Runtime) Run(ctx context.Context) error {
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
	var wg sync.WaitGroup
	for _, t := range r.tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.supervise(shardCtx, ctx, t, fail)
		}()
	}
	wg.Wait()
	var failed *TaskError
	if err := context.Cause(ctx); errors.As(err, &failed) {
		return failed
	}
	return nil
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
			wait = r.captureInterval(t.name)
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

func (r *Runtime) captureInterval(name string) time.Duration {
	for _, c := range r.opts.Built.Captures {
		if c.Name == name && c.Interval > 0 {
			return c.Interval
		}
	}
	return 5 * time.Minute // Flow's default capture interval.
}

// Stats reports every task's stats, sorted by task name.
func (r *Runtime) Stats() []TaskStats {
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
	seq := r.notifier.Seq()
	for _, t := range r.tasks {
		s := t.stats.get()
		if !s.Idle || (!t.finite && s.idleSeq != seq) {
			return false
		}
	}
	return true
}
