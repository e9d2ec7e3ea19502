package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// journalPollInterval is how often `collections read --follow` looks for journals created after it
// started: a new logical partition appears as a new journal when its first document is appended.
var journalPollInterval = time.Second

// followJournals reads every journal in its own goroutine until ctx ends, and starts a reader for each
// journal that list returns later. Readers write whole lines to one shared writer, so their documents
// interleave as they commit. The first reader or listing error stops them all and is returned; ctx
// ending (an interrupt, a deadline) is the normal end of following and returns nil.
func followJournals(ctx context.Context, initial []string, read func(context.Context, string) error, list func(context.Context) ([]string, error)) error {
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
	ticker := time.NewTicker(journalPollInterval)
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
