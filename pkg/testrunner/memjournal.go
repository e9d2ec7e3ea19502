package testrunner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/flowctl/flowctl/pkg/journal"
)

// memJournals is a journal.Client whose journals live in memory. Tests write little and throw it
// all away, so this saves journal.Local's fsyncs and directory listings (see BenchmarkExamples
// and BenchmarkExamplesLocalJournals in docs/performance.md). Journals are created on first
// append under a registered collection, named as journal.JournalName names them.
type memJournals struct {
	mu          sync.Mutex
	collections map[string]bool // by name (which is the partition template)
	journals    map[string]*memJournal
}

type memJournal struct {
	info    journal.JournalInfo
	content []byte
}

var _ journal.Client = (*memJournals)(nil)

func newMemJournals() *memJournals {
	return &memJournals{collections: map[string]bool{}, journals: map[string]*memJournal{}}
}

// addCollection registers a collection whose journals appends may create.
func (m *memJournals) addCollection(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.collections[name] = true
}

// collectionOf names the collection of a journal: its name without the `/pivot=00` suffix and
// the `field=value` segments of partitions (collection names hold no '=').
func collectionOf(name string) (string, bool) {
	rest, ok := strings.CutSuffix(name, "/pivot=00")
	if !ok {
		return "", false
	}
	for {
		i := strings.LastIndexByte(rest, '/')
		if i < 0 || !strings.Contains(rest[i+1:], "=") {
			return rest, true
		}
		rest = rest[:i]
	}
}

// Append implements journal.Client.
func (m *memJournals) Append(ctx context.Context, appends []journal.Append) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Everything is checked before anything changes, so a failed Append leaves no trace.
	created := map[string]*memJournal{}
	for _, a := range appends {
		if len(a.Content) == 0 || a.Content[len(a.Content)-1] != '\n' {
			return fmt.Errorf("append to %s must be whole JSON lines ending in a newline", a.Journal)
		}
		if m.journals[a.Journal] != nil || created[a.Journal] != nil {
			continue
		}
		collection, ok := collectionOf(a.Journal)
		if !ok || !m.collections[collection] {
			return fmt.Errorf("journal %s belongs to no collection of the catalog", a.Journal)
		}
		created[a.Journal] = &memJournal{info: journal.JournalInfo{Name: a.Journal, Collection: collection,
			Template: collection, Store: "memory:"}}
	}
	for name, j := range created {
		m.journals[name] = j
	}
	for _, a := range appends {
		j := m.journals[a.Journal]
		j.content = append(j.content, a.Content...)
	}
	return nil
}

// Read implements journal.Client. Reads never block: tests only read what was committed.
func (m *memJournals) Read(_ context.Context, req journal.ReadRequest) (journal.ChunkReader, error) {
	if req.Block {
		return nil, errors.New("journals in memory support only non-blocking reads")
	}
	if req.Offset < 0 {
		return nil, fmt.Errorf("reading %s from negative offset %d", req.Journal, req.Offset)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.journals[req.Journal] == nil {
		return nil, fmt.Errorf("journal %s does not exist", req.Journal)
	}
	return &memReader{m: m, name: req.Journal, offset: req.Offset}, nil
}

// ListJournals implements journal.Client.
func (m *memJournals) ListJournals(_ context.Context, collection string) ([]journal.JournalInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []journal.JournalInfo
	for _, j := range m.journals {
		if collection == "" || j.info.Collection == collection {
			out = append(out, j.info)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// ListFragments implements journal.Client: nothing is ever persisted to a fragment store.
func (m *memJournals) ListFragments(context.Context, string) ([]journal.Fragment, error) {
	return nil, nil
}

// memReader returns everything appended past its offset as one chunk, then io.EOF until more is.
type memReader struct {
	m      *memJournals
	name   string
	offset int64
}

func (r *memReader) Next(ctx context.Context) (journal.Chunk, error) {
	if err := ctx.Err(); err != nil {
		return journal.Chunk{}, err
	}
	r.m.mu.Lock()
	content := r.m.journals[r.name].content
	r.m.mu.Unlock()
	if r.offset >= int64(len(content)) {
		return journal.Chunk{}, io.EOF
	}
	// Content is only ever appended to, so the slice stays valid without a copy.
	c := journal.Chunk{Journal: r.name, Begin: r.offset, Data: content[r.offset:len(content):len(content)]}
	r.offset = int64(len(content))
	return c, nil
}

func (r *memReader) Close() error { return nil }
