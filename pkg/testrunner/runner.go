// Package testrunner runs a catalog's tests offline, with Flow's semantics (flow-spec 7.3):
// a synthetic clock, ingests combined under the write schema and committed as one transaction,
// derivations run to quiescence, verifies that wait until nothing pending can still write the
// verified collection and then compare the fully reduced documents by Flow's superset rule,
// and derivation state reset between tests.
//
// Tests run on the runtime's data path: collections are journals of documents with real UUIDs
// and ACKs (held in memory), derivations read them with runtime.Reader driven by the synthetic
// clock, and publish through a journal.Publisher in Flow's commit order.
package testrunner

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime"
)

// DefaultStart is where the synthetic clock starts, so that runs are deterministic.
var DefaultStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxTransactions bounds the derivation transactions of one test, so that a derivation that
// keeps feeding itself fails the run instead of hanging it.
const maxTransactions = 100_000

// Fixed producers keep UUIDs, and so runs, reproducible: ingests are one producer, and each
// derivation another (its index in the last two bytes).
var (
	ingestProducer     = journal.ProducerID{0x01, 0x74, 0x65, 0x73, 0x74, 0x73}
	derivationProducer = journal.ProducerID{0x03, 0x64, 0x65, 0x72, 0x00, 0x00}
)

// Options configure a run.
type Options struct {
	// Filter selects tests by name (nil: all).
	Filter *regexp.Regexp
	// Start is the synthetic clock's start (zero: DefaultStart).
	Start time.Time
	// OnResult, if set, is called as each test finishes.
	OnResult func(Result)
}

// Runner runs the tests of one built catalog. Collections keep their documents across tests
// (each verify only sees what its own test wrote), while derivation state is reset after each.
type Runner struct {
	built  *catalog.Built
	client journal.Client // where collections are appended
	reads  journal.Client // where they are read
	// clock is the synthetic now: it moves forward with every publish and, to make delayed
	// documents readable, to the next pending read.
	clock       journal.Clock
	ingest      *journal.Publisher
	writers     map[string]*runtime.CollectionWriter // by collection, made on first use
	derivations []*derivation
	verified    map[string]*collectionRead
	// journals counts journals created; readers look for new ones when it changed.
	journals   map[string]bool
	generation int
	// committed, if set, sees what each derivation transaction published and its checkpoint.
	committed func(derivation string, published []journal.Document, checkpoint []byte) error
}

// runnerConfig is what a Runner runs on.
type runnerConfig struct {
	start  time.Time
	writes journal.Client // every collection of the catalog can be appended to it
	reads  journal.Client // nil: writes
	only   string         // open only this derivation ("": every one)
}

// closed is a channel that is always closed: a reader's Wait returns at once after looking for
// new journals, which is all the runner waits for.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// New opens a Runner: journals in memory for the collections, and an engine in memory per
// derivation. Only SQLite derivations can run; others are an error.
func New(ctx context.Context, built *catalog.Built, start time.Time) (*Runner, error) {
	return newRunner(ctx, built, runnerConfig{start: start, writes: newMemJournalsOf(built)})
}

// newMemJournalsOf returns journals in memory for every collection of built.
func newMemJournalsOf(built *catalog.Built) *memJournals {
	mem := newMemJournals()
	for _, c := range built.Collections {
		mem.addCollection(c.Name)
	}
	return mem
}

// newRunner opens a Runner as cfg says.
func newRunner(ctx context.Context, built *catalog.Built, cfg runnerConfig) (*Runner, error) {
	if cfg.start.IsZero() {
		cfg.start = DefaultStart
	}
	if cfg.reads == nil {
		cfg.reads = cfg.writes
	}
	r := &Runner{built: built, client: cfg.writes, reads: cfg.reads, clock: journal.NewClock(cfg.start),
		writers: map[string]*runtime.CollectionWriter{}, verified: map[string]*collectionRead{}, journals: map[string]bool{}}
	r.ingest = journal.NewPublisher(r.client, ingestProducer, 0, r.now)
	for _, c := range built.Collections {
		if c.Derivation == nil || (cfg.only != "" && c.Name != cfg.only) {
			continue
		}
		producer := derivationProducer
		producer[4], producer[5] = byte(len(r.derivations)>>8), byte(len(r.derivations))
		d, err := r.openDerivation(ctx, c, producer)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.derivations = append(r.derivations, d)
	}
	for _, t := range built.Tests {
		if cfg.only != "" {
			break // a preview verifies nothing
		}
		for _, step := range t.Steps {
			name := step.Collection.Name
			if step.Ingest || r.verified[name] != nil {
				continue
			}
			reader, err := r.newReader(ctx, []runtime.Source{{Collection: name, ReadSuffix: "test/" + name}})
			if err != nil {
				r.Close()
				return nil, fmt.Errorf("reading collection %s: %w", name, err)
			}
			r.verified[name] = &collectionRead{reader: reader}
		}
	}
	return r, nil
}

// writer is the writer of collection c: it validates and combines documents under the write
// schema and names their journals as the runtime does. Draining it empties it for the next use.
func (r *Runner) writer(c *catalog.BuiltCollection) (*runtime.CollectionWriter, error) {
	if w := r.writers[c.Name]; w != nil {
		return w, nil
	}
	w, err := runtime.NewCollectionWriter(c, "")
	if err != nil {
		return nil, err
	}
	r.writers[c.Name] = w
	return w, nil
}

// now is the synthetic clock as time, for publishers and readers.
func (r *Runner) now() time.Time { return r.clock.Time() }

func (r *Runner) newReader(ctx context.Context, sources []runtime.Source) (*runtime.Reader, error) {
	return runtime.NewReader(ctx, runtime.ReaderOptions{Client: r.reads, Sources: sources, Now: r.now,
		Wake: func() <-chan struct{} { return closed }})
}

// discover makes reader look for journals created since it last looked (*seen).
func (r *Runner) discover(ctx context.Context, reader *runtime.Reader, seen *int) error {
	if *seen == r.generation {
		return nil
	}
	*seen = r.generation
	return reader.Wait(ctx)
}

// Close closes the derivation engines and readers.
func (r *Runner) Close() error {
	for _, d := range r.derivations {
		d.close()
	}
	for _, cr := range r.verified {
		cr.reader.Close()
	}
	return nil
}

// Run runs the catalog's tests in Flow's order (by file, then name) and returns their results.
// An error means the tests could not run (a derivation failed), not that one failed.
func Run(ctx context.Context, built *catalog.Built, opts Options) ([]Result, error) {
	r, err := New(ctx, built, opts.Start)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var results []Result
	for _, t := range built.Tests {
		if opts.Filter != nil && !opts.Filter.MatchString(t.Name) {
			continue
		}
		res, err := r.RunTest(ctx, t)
		if err != nil {
			return results, fmt.Errorf("test %s: %w", t.Name, err)
		}
		if opts.OnResult != nil {
			opts.OnResult(res)
		}
		results = append(results, res)
	}
	return results, nil
}

// RunTest runs one test, then drains pending reads and resets derivation state.
func (r *Runner) RunTest(ctx context.Context, t *catalog.BuiltTest) (Result, error) {
	began := time.Now()
	res := Result{Name: t.Name, Passed: true}
	if err := r.startTest(ctx); err != nil {
		return res, err
	}
	transactions := 0
	for i, step := range t.Steps {
		for {
			n, err := r.runReady(ctx)
			if err != nil {
				return res, fmt.Errorf("step %d: %w", i+1, err)
			}
			if transactions += n; transactions > maxTransactions {
				return res, fmt.Errorf("step %d: derivations ran %d transactions without settling; "+
					"does a derivation keep publishing to a collection it reads?", i+1, maxTransactions)
			}
			if step.Ingest {
				if err := r.ingestStep(ctx, step); err != nil {
					return res, fmt.Errorf("step %d ingest into %s: %w", i+1, step.Collection.Name, err)
				}
				break
			}
			if r.pendingCanWrite(step.Collection.Name) && r.advance() {
				continue
			}
			actual, mismatches, err := r.verify(ctx, step)
			if err != nil {
				return res, fmt.Errorf("step %d verify of %s: %w", i+1, step.Collection.Name, err)
			}
			res.Verified = append(res.Verified, Verified{Step: i + 1, Actual: actual})
			if len(mismatches) > 0 && res.Passed {
				res.Passed = false
				res.Failure = &Failure{Step: i + 1, Collection: step.Collection.Name,
					Location: step.Scope.String(), Mismatches: mismatches}
			}
			break
		}
	}
	// Pending reads still run (at no cost in wall time) so the next test starts from quiet.
	for {
		if _, err := r.runReady(ctx); err != nil {
			return res, fmt.Errorf("after the last step: %w", err)
		}
		if !r.advance() {
			break
		}
	}
	for _, d := range r.derivations {
		if err := d.engine.Reset(ctx); err != nil {
			return res, err
		}
	}
	res.Duration = time.Since(began)
	return res, nil
}

// ingestStep combines the step's documents by key under the write schema and commits them as
// one transaction.
func (r *Runner) ingestStep(ctx context.Context, step *catalog.BuiltTestStep) error {
	w, err := r.writer(step.Collection)
	if err != nil {
		return err
	}
	for _, d := range step.Documents {
		// The writer owns what it is given; the step's documents stay as written.
		copied, err := doc.Decode(doc.Append(nil, d))
		if err == nil {
			err = w.Add(copied)
		}
		if err != nil {
			return err
		}
	}
	var docs []journal.Document
	if err := w.Drain(func(d journal.Document) error { docs = append(docs, d); return nil }); err != nil {
		return err
	}
	return r.publish(ctx, r.ingest, docs, nil, nil)
}

// publish commits a transaction as a shard does (runtime.CommitTransaction; cp and commit are nil
// for an ingest), moves the clock past it, and notes a read pending for each derivation reading a
// collection it wrote.
func (r *Runner) publish(ctx context.Context, pub *journal.Publisher, docs []journal.Document,
	cp *runtime.ShardCheckpoint, commit func(*runtime.ShardCheckpoint) error) error {
	for _, d := range docs {
		if !r.journals[d.Journal] {
			r.journals[d.Journal] = true
			r.generation++
		}
	}
	if _, err := runtime.CommitTransaction(ctx, r.client, pub, docs, cp, commit); err != nil {
		return err
	}
	r.clock = max(r.clock, pub.Clock())
	if len(docs) == 0 {
		return nil
	}
	// Reads are pending from the transaction's last document, stamped by the publisher.
	meta, _ := docs[len(docs)-1].Doc["_meta"].(map[string]any)
	uuid, _ := meta["uuid"].(string)
	stamped, err := journal.ParseUUID(uuid)
	if err != nil {
		return fmt.Errorf("published document without its UUID: %w", err)
	}
	last := stamped.Clock()
	written := map[string]bool{}
	for _, d := range docs {
		if name, ok := collectionOf(d.Journal); ok {
			written[name] = true
		}
	}
	for _, d := range r.derivations {
		for _, s := range d.sources {
			if written[s.Collection] {
				d.pending = append(d.pending, last+journal.Clock(uint64(s.ReadDelay/100)<<4))
			}
		}
	}
	return nil
}

// runReady runs a transaction of each derivation with reads due at the current clock, until
// none has any, and returns how many transactions ran.
func (r *Runner) runReady(ctx context.Context) (int, error) {
	ran := 0
	for {
		progressed := false
		for _, d := range r.derivations {
			if !d.takeDue(r.clock) {
				continue
			}
			progressed = true
			ok, err := r.transaction(ctx, d)
			if err != nil {
				return ran, err
			}
			if ok {
				ran++
			}
		}
		if !progressed || ran > maxTransactions {
			return ran, nil
		}
	}
}

// pendingCanWrite reports whether a derivation with a pending read can, directly or through
// other derivations, still write the collection.
func (r *Runner) pendingCanWrite(collection string) bool {
	writes := map[string]bool{}
	for _, d := range r.derivations {
		if len(d.pending) > 0 {
			writes[d.engine.Collection().Name] = true
		}
	}
	for grew := true; grew; {
		grew = false
		for _, d := range r.derivations {
			name := d.engine.Collection().Name
			if writes[name] {
				continue
			}
			for _, s := range d.sources {
				if writes[s.Collection] {
					writes[name], grew = true, true
					break
				}
			}
		}
	}
	return writes[collection]
}

// advance moves the clock to the earliest pending read, and reports false when none is pending.
func (r *Runner) advance() bool {
	found := false
	var next journal.Clock
	for _, d := range r.derivations {
		for _, at := range d.pending {
			if !found || at < next {
				next, found = at, true
			}
		}
	}
	if found && next > r.clock {
		r.clock = next
	}
	return found
}
