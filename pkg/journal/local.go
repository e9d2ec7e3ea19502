package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
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

	stop     chan struct{}
	stopped  sync.WaitGroup
	closeErr error
	closed   bool
}

type localJournal struct {
	info    JournalInfo
	dir     string // Spool directory.
	store   Store
	codec   Codec
	spool   *spool   // Nil when read-only.
	scratch *scratch // Content of the spool compressed so far, if any.
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
	l.stopped.Add(1)
	go l.flushLoop()
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
// touched spool is fsynced, and only then does Append return.
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
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("journal: append after Close")
	}
	now := l.opts.Now()
	touched := make([]*localJournal, 0, len(appends))
	for _, a := range appends {
		j, err := l.journalLocked(a.Journal)
		if err != nil {
			return err
		}
		// Roll a spool whose flush interval has passed before writing, so that a transaction's
		// content is never split across fragments.
		if err := l.rollIfDueLocked(j, now); err != nil {
			return err
		}
		touched = append(touched, j)
	}
	for i, a := range appends {
		if err := touched[i].spool.write(a.Content, now); err != nil {
			return err
		}
	}
	// Digest and compress while the spools sync: the CPU time overlaps the wait on the disk.
	synced := make(chan error, 1)
	go func() {
		var errs []error
		for _, j := range touched {
			errs = append(errs, j.spool.sync())
		}
		synced <- errors.Join(errs...)
	}()
	for i, a := range appends {
		touched[i].spool.addToSum(a.Content)
		touched[i].compressAppend(a.Content)
	}
	if err := <-synced; err != nil {
		return err
	}
	close(l.changed)
	l.changed = make(chan struct{})
	for _, j := range touched {
		if j.spool.end-j.spool.begin >= j.info.Fragments.Length {
			if err := l.persistLocked(ctx, j); err != nil {
				// The content is durable in the spool: persisting is retried at the next roll.
				l.opts.Logger.Warn("persisting a full fragment failed; will retry", "journal", j.info.Name, "error", err)
			}
		}
	}
	return nil
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

// writeFileSynced writes v as JSON to path atomically: temp file, fsync, rename, directory fsync.
func writeFileSynced(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
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
			if j.spool != nil {
				j.spool.file.Close()
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
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	l.journals[info.Name] = j
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

// rollIfDueLocked persists a non-empty spool whose first append lies in an earlier flush interval
// than now: intervals are uniform UTC segments, so 24h rolls at midnight UTC.
func (l *Local) rollIfDueLocked(j *localJournal, now time.Time) error {
	s := j.spool
	if s.end == s.begin {
		return nil
	}
	interval := j.info.Fragments.FlushInterval
	if s.firstAppend.UnixNano()/int64(interval) == now.UnixNano()/int64(interval) {
		return nil
	}
	return l.persistLocked(context.Background(), j)
}

// persistLocked writes the spool as a fragment and starts a new spool at its end. The fragment is
// durable before the old spool is removed, so a crash between the two leaves a copy, never a loss.
func (l *Local) persistLocked(ctx context.Context, j *localJournal) error {
	s := j.spool
	if s.end == s.begin {
		return nil
	}
	frag := Fragment{
		Journal:     j.info.Name,
		Begin:       s.begin,
		End:         s.end,
		Codec:       j.codec,
		PathPostfix: PathPostfix(s.firstAppend),
	}
	copy(frag.Sum[:], s.sum.Sum(nil))
	compressed := j.takeScratch()
	err := j.store.Put(ctx, frag.ContentPath(), func(w io.Writer) error {
		if compressed != nil {
			_, err := io.Copy(w, compressed)
			return err
		}
		zw, err := j.codec.compressor(w)
		if err != nil {
			return err
		}
		err = scanFrames(s.file, 0, func(f frame) error {
			_, err := zw.Write(f.payload)
			return err
		})
		if err != nil {
			return fmt.Errorf("reading spool %s: %w", s.path, err)
		}
		return zw.Close()
	})
	j.dropScratch()
	if err != nil {
		return fmt.Errorf("persisting fragment %s: %w", frag.ContentPath(), err)
	}
	next, err := createSpool(j.dir, s.end)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.info.Name, err)
	}
	s.file.Close()
	j.spool = next
	// Not synced: if the removal is lost in a crash, recovery finds the spool persisted and removes it.
	if err := os.Remove(s.path); err != nil {
		return fmt.Errorf("journal %s: removing persisted spool: %w", j.info.Name, err)
	}
	l.opts.Logger.Debug("persisted fragment", "journal", j.info.Name, "path", frag.ContentPath())
	return l.applyRetentionLocked(ctx, j)
}

// applyRetentionLocked removes fragments persisted longer ago than the journal's retention.
func (l *Local) applyRetentionLocked(ctx context.Context, j *localJournal) error {
	keep := j.info.Fragments.Retention
	fs, ok := j.store.(*fileStore)
	if keep == 0 || !ok {
		return nil
	}
	frags, err := listFragments(ctx, j.store, j.info.Name)
	if err != nil {
		return err
	}
	cutoff := l.opts.Now().Add(-keep)
	for _, f := range frags {
		if f.ModTime.Before(cutoff) {
			if err := fs.remove(f.ContentPath()); err != nil {
				return err
			}
		}
	}
	return nil
}

// flushLoop persists spools whose flush interval has passed while no appends arrived.
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
				l.opts.Logger.Warn("persisting a fragment at its flush interval failed; will retry", "journal", j.info.Name, "error", err)
			}
		}
		l.mu.Unlock()
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

	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, j := range l.journals {
		if err := l.persistLocked(context.Background(), j); err != nil {
			errs = append(errs, err)
		}
		j.spool.file.Close()
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
