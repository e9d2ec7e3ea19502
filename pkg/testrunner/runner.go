// Package testrunner runs a catalog's tests offline, with Flow's semantics (flow-spec 7.3):
// a synthetic clock, ingests combined under the write schema and committed as one transaction,
// derivations run to quiescence, verifies that wait until nothing pending can still write the
// verified collection and then compare the fully reduced documents by Flow's superset rule,
// and derivation state reset between tests.
package testrunner

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/doc"
	"github.com/flowctl/flowctl/pkg/journal"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// DefaultStart is where the synthetic clock starts, so that runs are deterministic.
var DefaultStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxTransactions bounds the derivation transactions of one test, so that a derivation that
// keeps feeding itself fails the run instead of hanging it.
const maxTransactions = 100_000

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
	built       *catalog.Built
	clock       journal.Clock
	producer    journal.ProducerID
	logs        map[string]*collectionLog
	derivations []*derivation
}

// derivation is a derived collection's engine and its transforms' read progress.
type derivation struct {
	engine     *derive.Engine
	transforms []*transformRead
}

type transformRead struct {
	def    *catalog.BuiltTransform
	index  int
	source *collectionLog
	delay  journal.Clock // the read delay in clock units
	next   int           // index of the next unread entry of source
}

// New opens a Runner: a log per collection and an engine per derivation, in memory. Only
// SQLite derivations can run; others are an error.
func New(ctx context.Context, built *catalog.Built, start time.Time) (*Runner, error) {
	if start.IsZero() {
		start = DefaultStart
	}
	r := &Runner{built: built, clock: journal.NewClock(start), logs: map[string]*collectionLog{},
		// A fixed producer keeps UUIDs, and so runs, reproducible.
		producer: journal.ProducerID{0x01, 0x74, 0x65, 0x73, 0x74, 0x73}}
	for _, c := range built.Collections {
		l, err := newCollectionLog(c)
		if err != nil {
			return nil, err
		}
		r.logs[c.Name] = l
	}
	for _, c := range built.Collections {
		if c.Derivation == nil {
			continue
		}
		if c.Derivation.Def == nil || c.Derivation.Def.Using.SQLite == nil {
			r.Close()
			return nil, fmt.Errorf("derivation %s does not use SQLite; flowctl test runs only SQLite derivations", c.Name)
		}
		engine, err := derive.Open(ctx, c, derive.MemoryPath)
		if err != nil {
			r.Close()
			return nil, err
		}
		d := &derivation{engine: engine}
		for i, t := range c.Derivation.Transforms {
			if t.Disable {
				continue
			}
			d.transforms = append(d.transforms, &transformRead{def: t, index: i, source: r.logs[t.Source.Name],
				delay: journal.Clock(uint64(t.ReadDelay/100) << 4)})
		}
		r.derivations = append(r.derivations, d)
	}
	return r, nil
}

// Close closes the derivation engines.
func (r *Runner) Close() error {
	for _, d := range r.derivations {
		d.engine.Close()
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
	initial := r.clock
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
				if err := r.ingest(step); err != nil {
					return res, fmt.Errorf("step %d ingest into %s: %w", i+1, step.Collection.Name, err)
				}
				break
			}
			if r.pendingCanWrite(step.Collection.Name) && r.advance() {
				continue
			}
			actual, mismatches, err := r.verify(step, initial)
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

// ingest combines the step's documents by key under the write schema and commits them.
func (r *Runner) ingest(step *catalog.BuiltTestStep) error {
	c := step.Collection
	key, err := doc.KeyExtractors(c.WriteSchema.Shape(), c.Key)
	if err != nil {
		return err
	}
	combiner, err := doc.NewCombiner(doc.CombinerSpec{Key: key, Schema: c.WriteSchema})
	if err != nil {
		return err
	}
	for i, d := range step.Documents {
		// The combiner owns what it is given; the step's documents stay as written.
		copied, err := doc.Decode(doc.Append(nil, d))
		if err == nil {
			err = combiner.Add(copied)
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
	return r.publish(c, func(fn func(map[string]any) error) error {
		return combiner.Drain(false, func(d doc.Drained) error {
			obj, ok := d.Doc.(map[string]any)
			if !ok {
				return fmt.Errorf("document %s is not a JSON object", doc.Append(nil, d.Doc))
			}
			return fn(obj)
		})
	})
}

// publish appends the drained documents to the collection's log as one write.
func (r *Runner) publish(c *catalog.BuiltCollection, drain func(func(map[string]any) error) error) error {
	l := r.logs[c.Name]
	return drain(func(d map[string]any) error { return l.append(&r.clock, r.producer, d) })
}

// runReady runs a transaction of each derivation with documents ready at the current clock,
// until none has any, and returns how many transactions ran.
func (r *Runner) runReady(ctx context.Context) (int, error) {
	ran := 0
	for {
		progressed := false
		for _, d := range r.derivations {
			ok, err := r.transaction(ctx, d)
			if err != nil {
				return ran, err
			}
			if ok {
				progressed = true
				ran++
			}
		}
		if !progressed || ran > maxTransactions {
			return ran, nil
		}
	}
}

// ready is one source document a transaction reads.
type ready struct {
	t  *transformRead
	e  *entry
	at journal.Clock
}

// transaction reads every document of d's sources that is ready, in Flow's order (higher
// priority first, then publish clock plus read delay), publishes and commits. It reports false
// when nothing was ready.
func (r *Runner) transaction(ctx context.Context, d *derivation) (bool, error) {
	var batch []ready
	for _, t := range d.transforms {
		for ; t.next < len(t.source.entries); t.next++ {
			e := &t.source.entries[t.next]
			if e.clock+t.delay > r.clock {
				break
			}
			if selects(t.def.Partitions, e) && inWindow(t.def, e) {
				batch = append(batch, ready{t: t, e: e, at: e.clock + t.delay})
			}
		}
	}
	if len(batch) == 0 {
		return false, nil
	}
	sort.SliceStable(batch, func(i, j int) bool {
		if pi, pj := batch[i].t.def.Priority, batch[j].t.def.Priority; pi != pj {
			return pi > pj
		}
		return batch[i].at < batch[j].at
	})
	for _, b := range batch {
		src := &derive.Source{Doc: b.e.doc, Raw: b.e.raw, UUID: b.e.uuid}
		if err := d.engine.Read(ctx, b.t.index, src); err != nil {
			return false, err
		}
	}
	if err := r.publish(d.engine.Collection(), d.engine.Drain); err != nil {
		return false, err
	}
	return true, d.engine.Commit(ctx, nil)
}

// inWindow applies the transform's notBefore and notAfter to the document's publish time.
func inWindow(t *catalog.BuiltTransform, e *entry) bool {
	at := e.clock.Time()
	return (t.NotBefore.IsZero() || !at.Before(t.NotBefore)) && (t.NotAfter.IsZero() || at.Before(t.NotAfter))
}

// pendingCanWrite reports whether a derivation with unread documents can, directly or through
// other derivations, still write the collection.
func (r *Runner) pendingCanWrite(collection string) bool {
	writes := map[string]bool{}
	for _, d := range r.derivations {
		for _, t := range d.transforms {
			if t.next < len(t.source.entries) {
				writes[d.engine.Collection().Name] = true
			}
		}
	}
	for grew := true; grew; {
		grew = false
		for _, d := range r.derivations {
			name := d.engine.Collection().Name
			if writes[name] {
				continue
			}
			for _, t := range d.transforms {
				if writes[t.def.Source.Name] {
					writes[name], grew = true, true
					break
				}
			}
		}
	}
	return writes[collection]
}

// advance moves the clock to when the earliest pending read becomes ready, and reports false
// when nothing is pending.
func (r *Runner) advance() bool {
	var next journal.Clock
	found := false
	for _, d := range r.derivations {
		for _, t := range d.transforms {
			if t.next < len(t.source.entries) {
				at := t.source.entries[t.next].clock + t.delay
				if !found || at < next {
					next, found = at, true
				}
			}
		}
	}
	if found && next > r.clock {
		r.clock = next
	}
	return found
}

// verify fully reduces, under the read schema and in key order, the documents of the selected
// partitions written since the test began, and compares them with the expected ones.
func (r *Runner) verify(step *catalog.BuiltTestStep, since journal.Clock) ([]any, []Mismatch, error) {
	c := step.Collection
	key, err := doc.KeyExtractors(c.ReadSchema.Shape(), c.Key)
	if err != nil {
		return nil, nil, err
	}
	combiner, err := doc.NewCombiner(doc.CombinerSpec{Key: key, Schema: c.ReadSchema})
	if err != nil {
		return nil, nil, err
	}
	for _, e := range r.logs[c.Name].entries {
		if e.clock <= since || !selects(step.Partitions, &e) {
			continue
		}
		// Decoded afresh: the combiner owns what it is given, and derivations read the log too.
		d, err := doc.Decode(e.raw)
		if err == nil {
			err = combiner.Add(d)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("document %s: %w", e.raw, err)
		}
	}
	var actual []any
	err = combiner.Drain(true, func(d doc.Drained) error {
		if !d.Deleted {
			actual = append(actual, d.Doc)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return actual, compare(step.Documents, actual, key), nil
}
