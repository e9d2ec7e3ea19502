package journal

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// DefaultPollInterval is how often following reads look for journals created since they started: a
// new logical partition appears as a new journal when its first document is appended.
const DefaultPollInterval = time.Second

// ReadJournalsOptions says how ReadJournals reads.
type ReadJournalsOptions struct {
	// Uncommitted reads every document as written (rolled-back transactions and ACKs included)
	// instead of read-committed ones (ACKs included: emit skips them when it wants data only).
	Uncommitted bool
	// Follow reads every journal at once and keeps waiting for more documents until ctx ends.
	Follow bool
	// List, when following, returns the journals to read now; readers start for new ones.
	List func(context.Context) ([]string, error)
	// PollInterval is how often List is called; zero is DefaultPollInterval.
	PollInterval time.Duration
}

// SelectJournals lists the journals of a collection that sel picks, in name order.
func SelectJournals(ctx context.Context, client Client, collection string, sel Selector) ([]string, error) {
	infos, err := client.ListJournals(ctx, collection)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, info := range infos {
		ok, err := sel.MatchesJournal(info.Template, info.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			names = append(names, info.Name)
		}
	}
	return names, nil
}

// ReadJournals calls emit with the documents of journals: one journal after another until each is
// read, or with Follow, all of them at once (and those List returns later) until ctx ends, their
// documents interleaved as they commit. emit is never called concurrently. The first error of a
// reader, of List or of emit stops the read and is returned; ctx ending while following is the normal
// end and returns nil.
func ReadJournals(ctx context.Context, client Client, journals []string, opts ReadJournalsOptions, emit func(ReadDoc) error) error {
	if !opts.Follow {
		for _, name := range journals {
			if err := readJournal(ctx, client, name, opts, emit); err != nil {
				return err
			}
		}
		return nil
	}
	var mu sync.Mutex
	serialEmit := func(doc ReadDoc) error {
		mu.Lock()
		defer mu.Unlock()
		return emit(doc)
	}
	list := opts.List
	if list == nil {
		list = func(context.Context) ([]string, error) { return nil, nil }
	}
	poll := opts.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	return FollowJournals(ctx, journals, list, poll, func(ctx context.Context, name string) error {
		return readJournal(ctx, client, name, opts, serialEmit)
	})
}

// readJournal calls emit with each document of one journal until its end (or, following, until ctx
// ends).
func readJournal(ctx context.Context, client Client, name string, opts ReadJournalsOptions, emit func(ReadDoc) error) error {
	var next func(context.Context) (ReadDoc, error)
	if opts.Uncommitted {
		chunks, err := client.Read(ctx, ReadRequest{Journal: name, Block: opts.Follow})
		if err != nil {
			return err
		}
		lines := NewLineReader(chunks, false)
		defer lines.Close()
		next = lines.Next
	} else {
		r, err := ReadCommitted(ctx, client, name, Checkpoint{}, opts.Follow)
		if err != nil {
			return err
		}
		defer r.Close()
		next = r.Next
	}
	for {
		doc, err := next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := emit(doc); err != nil {
			return err
		}
	}
}

// FollowJournals runs read for every journal in its own goroutine until ctx ends, and for each journal
// that list returns later, asked every poll. The first error of a reader or of list stops them all and
// is returned; ctx ending (an interrupt, a deadline, a client that left) is the normal end of
// following and returns nil.
func FollowJournals(ctx context.Context, initial []string, list func(context.Context) ([]string, error), poll time.Duration, read func(context.Context, string) error) error {
	readCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	started := map[string]bool{}
	start := func(names []string) {
		for _, name := range names {
			if started[name] {
				continue
			}
			started[name] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := read(readCtx, name); err != nil && !isEndOfFollow(err) {
					stop(err)
				}
			}()
		}
	}
	start(initial)
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for readCtx.Err() == nil {
		select {
		case <-readCtx.Done():
		case <-ticker.C:
			names, err := list(readCtx)
			if err != nil && !isEndOfFollow(err) {
				stop(err)
			}
			start(names)
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return context.Cause(readCtx)
}

// isEndOfFollow reports whether err only says that following was stopped.
func isEndOfFollow(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
