package journal

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit appends from several goroutines at once to one journal, as shards of one
// collection do, through a slowed-down sync that records how much of the spool each sync covered.
// Every append must be acknowledged only after a sync that covered its frame, and appends that
// waited together must have shared syncs.
func TestGroupCommit(t *testing.T) {
	var mu sync.Mutex
	var syncs int
	var covered int64 // Spool bytes the latest finished sync made durable.
	syncFile = func(f *os.File) error {
		info, err := f.Stat()
		if err != nil {
			return err
		}
		// Slow enough that the other writers queue behind this sync.
		time.Sleep(5 * time.Millisecond)
		if err := syncData(f); err != nil {
			return err
		}
		mu.Lock()
		syncs++
		covered = max(covered, info.Size())
		mu.Unlock()
		return nil
	}
	t.Cleanup(func() { syncFile = syncData })

	l := openTestLocal(t, t.TempDir(), &fakeClock{time.Now()}, FragmentTemplate{})
	defer l.Close()
	const writers, perWriter = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				line := fmt.Sprintf(`{"writer":%d,"i":%d}`+"\n", w, i)
				if err := l.Append(context.Background(), []Append{{Journal: eu, Content: []byte(line)}}); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				durable := covered
				mu.Unlock()
				if end, err := frameEnd(l, []byte(line)); err != nil {
					errs <- err
				} else if end > durable {
					errs <- fmt.Errorf("append of %q ends at spool byte %d but was acknowledged when only %d were synced", line, end, durable)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if syncs >= writers*perWriter {
		t.Errorf("%d appends took %d syncs: concurrent appends shared none", writers*perWriter, syncs)
	}
	if got := readAll(t, l, eu, 0); bytes.Count([]byte(got), []byte("\n")) != writers*perWriter {
		t.Errorf("read back %d lines, want %d", bytes.Count([]byte(got), []byte("\n")), writers*perWriter)
	}
	t.Logf("%d appends, %d syncs", writers*perWriter, syncs)
}

// frameEnd returns the spool file position after the frame holding content.
func frameEnd(l *Local, content []byte) (int64, error) {
	l.mu.Lock()
	path := l.journals[eu].spool.path
	l.mu.Unlock()
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	end := int64(-1)
	err = scanFrames(f, 0, func(fr frame) error {
		if bytes.Equal(fr.payload, content) {
			end = fr.next
		}
		return nil
	})
	if end < 0 {
		return 0, fmt.Errorf("no frame of %s holds %q (%v)", path, content, err)
	}
	return end, nil
}
