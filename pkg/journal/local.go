package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// LocalOptions configure a Local.
type LocalOptions struct {
	// DataDir holds the spools and is the default fragment store.
	DataDir string
	// Mappings choose the store of each collection by the longest matching prefix.
	Mappings []StoreMapping
	// ReadOnly opens the data directory to read while another process may be writing it.
	ReadOnly bool
	// Now is the clock for fragment dates and flush intervals (default time.Now).
	Now func() time.Time
	// FlushCheck is how often idle spools are checked against their flush interval (default 1s).
	FlushCheck time.Duration
	// PollInterval is how often a blocking reader looks for appends by other processes (default 100ms).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// spoolDirName is the data directory's private folder of spools and journal descriptions. Its name
// starts with a dot so that data-lake globs (**/*.gz) and Hive readers never see it.
const spoolDirName = ".spool"

// journalInfoFile describes a journal beside its spools, so readers find its store without a catalog.
const journalInfoFile = "journal.json"

// Local is the Client on a local data directory. One process writes a data directory (it holds an
// exclusive lock); any number of read-only Locals in other processes may read it at the same time.
type Local struct {
	opts      LocalOptions
	spoolRoot string
	lockFile  *os.File

	mu          sync.Mutex
	collections map[string]CollectionSpec // By partition template.
	journals    map[string]*localJournal
	stores      map[string]Store
	changed     chan struct{} // Closed and replaced on every append.

	persistKick chan struct{} // Wakes the persister; buffered, so a kick is never lost.
	persistMu   sync.Mutex    // Serialises persistRolled.

	stop     chan struct{}
	stopped  sync.WaitGroup
	closeErr error
	closed   bool
}

type localJournal struct {
	info  JournalInfo
	dir   string // Spool directory.
	store Store
	codec Codec
	spool *spool // Takes appends; nil when read-only.
	// rolled are older spools, oldest first, that the persister has not yet written as fragments.
	rolled []*spool
}

var _ Client = (*Local)(nil)

// OpenLocal opens a data directory. A writer recovers every journal's spool first: torn tails are cut,
// spools already persisted are removed, and each write head is restored.
func OpenLocal(opts LocalOptions) (*Local, error) {
	if opts.DataDir == "" {
		return nil, errors.New("journal: a data directory is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FlushCheck <= 0 {
		opts.FlushCheck = time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Local{
		opts:        opts,
		spoolRoot:   filepath.Join(opts.DataDir, spoolDirName),
		collections: map[string]CollectionSpec{},
		journals:    map[string]*localJournal{},
		stores:      map[string]Store{},
		changed:     make(chan struct{}),
		persistKick: make(chan struct{}, 1),
		stop:        make(chan struct{}),
	}
	if opts.ReadOnly {
		return l, nil
	}
	if err := mkdirAllSynced(l.spoolRoot); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", opts.DataDir, err)
	}
	lock, err := os.OpenFile(filepath.Join(l.spoolRoot, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", opts.DataDir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("data directory %s is being written by another process (stop it, or use another --data-dir): %w", opts.DataDir, err)
	}
	l.lockFile = lock
	if err := l.recoverAll(); err != nil {
		l.releaseLock()
		return nil, err
	}
	l.stopped.Add(2)
	go l.flushLoop()
	go l.persistLoop()
	return l, nil
}

// AddCollection registers a collection whose journals this Local may create on first append.
func (l *Local) AddCollection(spec CollectionSpec) error {
	if spec.Name == "" {
		return errors.New("collection has no name")
	}
	if spec.PartitionTemplate == "" {
		spec.PartitionTemplate = spec.Name
	}
	if _, err := ParseCodec(spec.Fragments.CompressionCodec); err != nil {
		return fmt.Errorf("collection %s: journals.fragments.%w", spec.Name, err)
	}
	if spec.Fragments.Length < 0 || spec.Fragments.FlushInterval < 0 || spec.Fragments.Retention < 0 {
		return fmt.Errorf("collection %s: journals.fragments length, flushInterval and retention must not be negative", spec.Name)
	}
	if spec.Fragments.Length == 0 {
		spec.Fragments.Length = DefaultFragmentLength
	}
	if spec.Fragments.FlushInterval == 0 {
		spec.Fragments.FlushInterval = DefaultFlushInterval
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.collections[spec.PartitionTemplate] = spec
	return l.updateJournalsLocked(spec)
}

// updateJournalsLocked gives the collection's existing journals its current fragment settings,
// in memory and in their journal.json: a journal keeps the settings it was created with
// otherwise, as Gazette's would if its spec were never re-applied. A new codec applies from
// each journal's next fragment: a spool holding content keeps the codec it began with.
func (l *Local) updateJournalsLocked(spec CollectionSpec) error {
	codec, err := ParseCodec(spec.Fragments.CompressionCodec)
	if err != nil {
		return err
	}
	for _, j := range l.journals {
		if j.info.Template != spec.PartitionTemplate || j.info.Fragments == spec.Fragments {
			continue
		}
		info := j.info
		info.Fragments = spec.Fragments
		if err := writeFileSynced(filepath.Join(j.dir, journalInfoFile), info); err != nil {
			return fmt.Errorf("journal %s: %w", info.Name, err)
		}
		j.info.Fragments, j.codec = spec.Fragments, codec
		if j.spool != nil && j.spool.end == j.spool.begin {
			j.spool.codec = codec // nothing written (or compressed) with the old one yet
		}
	}
	return nil
}

// JournalFor names the journal of a collection's logical partition, given its partition field values.
func (l *Local) JournalFor(collection string, values []PartitionValue) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, spec := range l.collections {
		if spec.Name != collection {
			continue
		}
		if len(values) != len(spec.PartitionFields) {
			return "", fmt.Errorf("collection %s is partitioned on %v, but %d values were given", collection, spec.PartitionFields, len(values))
		}
		for _, pv := range values {
			if !contains(spec.PartitionFields, pv.Field) {
				return "", fmt.Errorf("collection %s has no partition field %q (its fields are %v)", collection, pv.Field, spec.PartitionFields)
			}
		}
		return JournalName(spec.PartitionTemplate, values)
	}
	return "", fmt.Errorf("collection %s is not registered with the journal store", collection)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Append implements Client. Content of each journal is written as one frame of its spool, every
// touched spool is fsynced, and only then does Append return. Appends running at the same time
// share fsyncs (group commit); a spool that the append filled is rolled for the persister.
func (l *Local) Append(ctx context.Context, appends []Append) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.opts.ReadOnly {
		return errors.New("journal: this data directory was opened read-only")
	}
	for _, a := range appends {
		if len(a.Content) == 0 || a.Content[len(a.Content)-1] != '\n' {
			return fmt.Errorf("append to %s must be whole JSON lines ending in a newline", a.Journal)
		}
	}
	journals, targets, err := l.writeFrames(appends)
	if err != nil {
		return err
	}
	// Digest and compress while the spools sync: the CPU time overlaps the wait on the disk. The
	// lock is held until the frames are digested, so spools are digested in frame order, but not
	// for the sync, so that appends arriving meanwhile can write and join the next sync.
	synced := make(chan error, 1)
	go func() {
		var errs []error
		for _, t := range targets {
			errs = append(errs, t.spool.syncTo(t.size))
		}
		synced <- errors.Join(errs...)
	}()
	digestFrames(appends, journals)
	l.mu.Unlock()
	if err := <-synced; err != nil {
		return err
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	if l.closed {
		return nil // Close rolled and persisted the spools already.
	}
	now := l.opts.Now()
	for _, t := range targets {
		if err := l.rollIfDueLocked(t.journal, now); err != nil {
			// The content is durable in the spool: rolling is retried at the next append.
			l.opts.Logger.Warn("rolling a full spool failed; will retry", "journal", t.journal.info.Name, "error", err)
		}
	}
	return nil
}

// syncTarget is a spool an append wrote to and the file size its frames end at.
type syncTarget struct {
	journal *localJournal
	spool   *spool
	size    int64
}

// writeFrames writes each append as a frame of its journal's spool. It returns the journal of each
// append and the spools to sync, with l.mu held, so that the caller digests the frames before any
// other append writes.
func (l *Local) writeFrames(appends []Append) (journals []*localJournal, targets []syncTarget, err error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, nil, errors.New("journal: append after Close")
	}
	now := l.opts.Now()
	journals = make([]*localJournal, len(appends))
	for i, a := range appends {
		j, err := l.journalLocked(a.Journal)
		if err == nil {
			// Roll a spool whose flush interval has passed before writing, so that a
			// transaction's content is never split across fragments.
			err = l.rollIfDueLocked(j, now)
		}
		if err != nil {
			l.mu.Unlock()
			return nil, nil, err
		}
		journals[i] = j
	}
	for i, a := range appends {
		s := journals[i].spool
		if err := s.write(a.Content, now); err != nil {
			// The frames before this one stay in their spools, so their fragments must digest them.
			digestFrames(appends[:i], journals)
			l.mu.Unlock()
			return nil, nil, err
		}
		t := slices.IndexFunc(targets, func(t syncTarget) bool { return t.spool == s })
		if t < 0 {
			t = len(targets)
			targets = append(targets, syncTarget{journal: journals[i], spool: s})
		}
		targets[t].size = s.size
	}
	return journals, targets, nil
}

// digestFrames adds each append's frame to its spool's SHA-1 and compressed copy, in frame order.
func digestFrames(appends []Append, journals []*localJournal) {
	for i, a := range appends {
		s := journals[i].spool
		s.addToSum(a.Content)
		s.compressAppend(s.codec, a.Content)
	}
}

// journalLocked returns the journal, creating it when its name is under a registered collection.
func (l *Local) journalLocked(name string) (*localJournal, error) {
	if j, ok := l.journals[name]; ok {
		return j, nil
	}
	var spec *CollectionSpec
	for template, s := range l.collections {
		if strings.HasPrefix(name, template+"/") && (spec == nil || len(template) > len(spec.PartitionTemplate)) {
			spec = &s
		}
	}
	if spec == nil {
		return nil, fmt.Errorf("journal %s belongs to no registered collection", name)
	}
	parsed, err := ParseJournalName(spec.PartitionTemplate, name)
	if err != nil {
		return nil, err
	}
	if len(parsed.Partitions) != len(spec.PartitionFields) {
		return nil, fmt.Errorf("journal %s does not name one value for each partition field %v of %s", name, spec.PartitionFields, spec.Name)
	}
	info := JournalInfo{
		Name:       name,
		Collection: spec.Name,
		Template:   spec.PartitionTemplate,
		Store:      storeURLFor(l.opts.Mappings, spec.Name),
		Fragments:  spec.Fragments,
	}
	dir := filepath.Join(l.spoolRoot, filepath.FromSlash(name))
	if err := mkdirAllSynced(dir); err != nil {
		return nil, fmt.Errorf("journal %s: %w", name, err)
	}
	if err := writeFileSynced(filepath.Join(dir, journalInfoFile), info); err != nil {
		return nil, fmt.Errorf("journal %s: %w", name, err)
	}
	return l.recoverJournalLocked(info, dir)
}

// writeFileSynced writes v as JSON to path atomically.
func writeFileSynced(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o644)
}

// recoverAll recovers every journal found under the spool directory.
func (l *Local) recoverAll() error {
	infos, err := l.readJournalInfos()
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, info := range infos {
		dir := filepath.Join(l.spoolRoot, filepath.FromSlash(info.Name))
		if _, err := l.recoverJournalLocked(info, dir); err != nil {
			return err
		}
	}
	return nil
}

// recoverJournalLocked restores a journal's write head from its fragments and spools. A spool whose
// content a fragment already holds (the crash came between persisting and removing it) is removed.
func (l *Local) recoverJournalLocked(info JournalInfo, dir string) (*localJournal, error) {
	store, err := l.storeLocked(info.Store)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", info.Name, err)
	}
	codec, err := ParseCodec(info.Fragments.CompressionCodec)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", info.Name, err)
	}
	j := &localJournal{info: info, dir: dir, store: store, codec: codec}
	if fs, ok := store.(*fileStore); ok {
		if err := fs.removePartials(info.Name); err != nil {
			return nil, err
		}
	}
	if err := removeScratchFiles(dir); err != nil {
		return nil, err
	}
	frags, err := listFragments(context.Background(), store, info.Name)
	if err != nil {
		return nil, err
	}
	var head int64
	for _, f := range frags {
		head = max(head, f.End)
	}
	begins, err := spoolBegins(dir)
	if err != nil {
		return nil, err
	}
	for _, begin := range begins {
		s, err := recoverSpool(filepath.Join(dir, spoolName(begin)), begin)
		if err != nil {
			return nil, fmt.Errorf("journal %s: %w", info.Name, err)
		}
		s.codec = codec
		switch {
		case s.end > s.begin && s.end <= head && s.begin >= fragmentCoverBegin(frags, s.end):
			// Persisted already: drop the copy.
			s.file.Close()
			if err := os.Remove(s.path); err != nil {
				return nil, fmt.Errorf("journal %s: removing persisted spool: %w", info.Name, err)
			}
		case s.begin != head && s.end == s.begin:
			s.file.Close()
			if err := os.Remove(s.path); err != nil {
				return nil, fmt.Errorf("journal %s: removing empty spool: %w", info.Name, err)
			}
		case s.begin == head:
			// An older spool at the head was rolled but not persisted before the crash.
			if j.spool != nil {
				j.rolled = append(j.rolled, j.spool)
			}
			j.spool = s
			head = s.end
		default:
			s.file.Close()
			return nil, fmt.Errorf("journal %s: spool %s holds [%d, %d) but fragments end at %d; move it aside and restart",
				info.Name, s.path, s.begin, s.end, head)
		}
	}
	if j.spool == nil {
		if j.spool, err = createSpool(dir, head); err != nil {
			return nil, fmt.Errorf("journal %s: %w", info.Name, err)
		}
		j.spool.codec = codec
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return nil, err
	}
	l.journals[info.Name] = j
	if len(j.rolled) > 0 {
		l.kickPersister()
	}
	return j, nil
}

// fragmentCoverBegin returns the begin of the fragment ending at end, or end+1 if none does.
func fragmentCoverBegin(frags []Fragment, end int64) int64 {
	for _, f := range frags {
		if f.End == end {
			return f.Begin
		}
	}
	return end + 1
}

// isCurrentSpool reports whether the journal's current spool begins at begin, if this Local writes
// the journal (known), without listing its directory: the spool changes only under l.mu.
func (l *Local) isCurrentSpool(journal string, begin int64) (current, known bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	j, ok := l.journals[journal]
	if !ok || j.spool == nil {
		return false, false
	}
	return j.spool.begin == begin, true
}

// spoolBegins lists the begin offsets of a journal's spool files, in order.
func spoolBegins(dir string) ([]int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("listing spools in %s: %w", dir, err)
	}
	var begins []int64
	for _, e := range entries {
		if begin, ok := parseSpoolName(e.Name()); ok && !e.IsDir() {
			begins = append(begins, begin)
		}
	}
	sort.Slice(begins, func(a, b int) bool { return begins[a] < begins[b] })
	return begins, nil
}

func (l *Local) storeLocked(url string) (Store, error) {
	if s, ok := l.stores[url]; ok {
		return s, nil
	}
	s, err := OpenStore(url, l.opts.DataDir)
	if err != nil {
		return nil, err
	}
	l.stores[url] = s
	return s, nil
}

// flushLoop rolls spools whose flush interval has passed while no appends arrived, and has the
// persister retry spools whose persisting failed.
func (l *Local) flushLoop() {
	defer l.stopped.Done()
	ticker := time.NewTicker(l.opts.FlushCheck)
	defer ticker.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
		}
		l.mu.Lock()
		now := l.opts.Now()
		for _, j := range l.journals {
			if err := l.rollIfDueLocked(j, now); err != nil {
				l.opts.Logger.Warn("rolling a spool at its flush interval failed; will retry", "journal", j.info.Name, "error", err)
			}
		}
		l.mu.Unlock()
		l.kickPersister()
	}
}

// Close persists every non-empty spool as a fragment (a clean shutdown leaves only fragments) and
// releases the data directory.
func (l *Local) Close() error {
	if l.opts.ReadOnly {
		return nil
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return l.closeErr
	}
	l.closed = true
	close(l.stop)
	l.mu.Unlock()
	l.stopped.Wait()

	var errs []error
	l.mu.Lock()
	for _, j := range l.journals {
		if err := l.rollLocked(j); err != nil {
			errs = append(errs, err)
		}
	}
	l.mu.Unlock()
	errs = append(errs, l.persistRolled(context.Background()))

	l.mu.Lock()
	defer l.mu.Unlock()
	for _, j := range l.journals {
		for _, s := range append(j.rolled, j.spool) {
			s.dropScratch()
			s.file.Close()
		}
	}
	l.releaseLock()
	l.closeErr = errors.Join(errs...)
	return l.closeErr
}

func (l *Local) releaseLock() {
	if l.lockFile != nil {
		_ = syscall.Flock(int(l.lockFile.Fd()), syscall.LOCK_UN)
		l.lockFile.Close()
		l.lockFile = nil
	}
}

// readJournalInfos reads the description of every journal in the data directory.
func (l *Local) readJournalInfos() ([]JournalInfo, error) {
	var infos []JournalInfo
	err := filepath.WalkDir(l.spoolRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || d.Name() != journalInfoFile {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var info JournalInfo
		if err := json.Unmarshal(data, &info); err != nil {
			return fmt.Errorf("%s is not a journal description: %w (remove its folder if the journal is unwanted)", p, err)
		}
		infos = append(infos, info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing journals of %s: %w", l.opts.DataDir, err)
	}
	sort.Slice(infos, func(a, b int) bool { return infos[a].Name < infos[b].Name })
	return infos, nil
}

// ListJournals implements Client.
func (l *Local) ListJournals(_ context.Context, collection string) ([]JournalInfo, error) {
	infos, err := l.readJournalInfos()
	if err != nil {
		return nil, err
	}
	out := infos[:0]
	for _, info := range infos {
		if collection == "" || info.Collection == collection {
			out = append(out, info)
		}
	}
	return out, nil
}

// journalInfo finds a journal's description, in memory or on disk.
func (l *Local) journalInfo(name string) (JournalInfo, string, error) {
	dir := filepath.Join(l.spoolRoot, filepath.FromSlash(name))
	l.mu.Lock()
	j, ok := l.journals[name]
	l.mu.Unlock()
	if ok {
		return j.info, dir, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, journalInfoFile))
	if errors.Is(err, fs.ErrNotExist) {
		return JournalInfo{}, "", fmt.Errorf("journal %s does not exist in %s (list them with `flowctl collections list-journals`)", name, l.opts.DataDir)
	} else if err != nil {
		return JournalInfo{}, "", err
	}
	var info JournalInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return JournalInfo{}, "", fmt.Errorf("journal %s: bad description: %w", name, err)
	}
	return info, dir, nil
}

// ListFragments implements Client.
func (l *Local) ListFragments(ctx context.Context, journal string) ([]Fragment, error) {
	info, _, err := l.journalInfo(journal)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	store, err := l.storeLocked(info.Store)
	l.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return listFragments(ctx, store, journal)
}

// listFragments lists a journal's fragments in (begin, end) order, skipping names that don't parse,
// as Gazette's index does.
func listFragments(ctx context.Context, store Store, journal string) ([]Fragment, error) {
	var frags []Fragment
	prefix := journal + "/"
	err := store.List(ctx, prefix, func(p string, mod time.Time) error {
		rel := strings.TrimPrefix(p, prefix)
		f, err := ParseFragmentPath(journal, rel)
		if err != nil {
			return nil
		}
		f.ModTime, f.Store = mod, store.URL()
		frags = append(frags, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(frags, func(a, b int) bool {
		if frags[a].Begin != frags[b].Begin {
			return frags[a].Begin < frags[b].Begin
		}
		return frags[a].End < frags[b].End
	})
	return frags, nil
}
