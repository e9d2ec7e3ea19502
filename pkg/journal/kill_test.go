package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const killChildEnv = "FLOWCTL_JOURNAL_KILL_CHILD"

var killJournals = []string{"acme/events/region=EU/pivot=00", "acme/events/region=US/pivot=00"}

func openKillLocal(dir string) (*Local, error) {
	l, err := OpenLocal(LocalOptions{DataDir: dir, FlushCheck: 5 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	// Small fragments and a short flush interval, so that kills land during persists too.
	err = l.AddCollection(CollectionSpec{Name: "acme/events", PartitionFields: []string{"region"},
		Fragments: FragmentTemplate{Length: 400, FlushInterval: 20 * time.Millisecond}})
	return l, err
}

// TestKillChildProcess is the subprocess of TestKillRecovery: it publishes transactions until it is
// killed, printing the ids of each one after it is acknowledged.
func TestKillChildProcess(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("runs only as the subprocess of TestKillRecovery")
	}
	run := os.Getenv(killChildEnv + "_RUN")
	if step, nth, ok := strings.Cut(os.Getenv(killChildEnv+"_STEP"), ":"); ok {
		killAtPersistStep(step, nth)
	}
	l, err := openKillLocal(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	producer, err := NewProducerID()
	if err != nil {
		os.Exit(3)
	}
	pub := NewPublisher(l, producer, 0, nil)
	for n := 0; ; n++ {
		var docs []Document
		var ids []string
		for i := 0; i <= n%3; i++ {
			id := fmt.Sprintf("%s-%d-%d", run, n, i)
			ids = append(ids, id)
			docs = append(docs, Document{Journal: killJournals[(n+i)%2], Doc: map[string]any{"id": id, "pad": strings.Repeat("p", n%50)}})
		}
		if err := pub.Publish(context.Background(), docs); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("ack " + strings.Join(ids, " "))
	}
}

// killAtPersistStep makes the process SIGKILL itself the nth time the persister reaches step.
func killAtPersistStep(step, nth string) {
	var n int
	fmt.Sscan(nth, &n)
	persistStep = func(at string) {
		if at != step {
			return
		}
		if n--; n <= 0 {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}

// killSteps are the points of persisting a fragment where odd runs kill the child: a spool rolled
// but not persisted, a fragment written but not renamed into place, and a fragment persisted
// whose spool is not yet removed.
var killSteps = []string{"before-put", "written", "persisted"}

func TestKillRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills subprocesses")
	}
	dir := t.TempDir()
	acked := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 30; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChildProcess$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir, fmt.Sprintf("%s_RUN=%d", killChildEnv, run))
		wait := time.Duration(20+rng.IntN(100)) * time.Millisecond
		if run%2 == 1 {
			// The child kills itself inside the persister; the timer is only a backstop.
			step := killSteps[(run/2)%len(killSteps)]
			cmd.Env = append(cmd.Env, fmt.Sprintf("%s_STEP=%s:%d", killChildEnv, step, 1+rng.IntN(8)))
			wait = 10 * time.Second
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		deadline := time.After(wait)
	collect:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break collect
				}
				if ids, ok := strings.CutPrefix(line, "ack "); ok {
					for _, id := range strings.Fields(ids) {
						acked[id] = true
					}
				} else if strings.HasPrefix(line, "error") {
					t.Fatalf("run %d: child: %s", run, line)
				}
			case <-deadline:
				_ = cmd.Process.Kill()
				deadline = nil
			}
		}
		err = cmd.Wait()
		if run%2 == 1 && (err == nil || !strings.Contains(err.Error(), "killed")) {
			t.Fatalf("run %d: the child was to kill itself while persisting, but it ended with %v", run, err)
		}
		verifyAfterKill(t, dir, acked, run)
	}
	if len(acked) < 30 {
		t.Fatalf("only %d documents were acknowledged in 30 runs: the test did not exercise appends", len(acked))
	}
}

// verifyAfterKill recovers the data directory and checks that every acknowledged document is there
// exactly once and that every fragment's name matches its content.
func verifyAfterKill(t *testing.T, dir string, acked map[string]bool, run int) {
	t.Helper()
	l, err := openKillLocal(dir)
	if err != nil {
		t.Fatalf("run %d: recovery: %v", run, err)
	}
	defer func() {
		if err := l.Close(); err != nil {
			t.Fatalf("run %d: close: %v", run, err)
		}
	}()
	seen := map[string]int{}
	for _, journal := range killJournals {
		if _, _, err := l.journalInfo(journal); err != nil {
			continue // The first run may die before creating both journals.
		}
		frags, err := l.ListFragments(context.Background(), journal)
		if err != nil {
			t.Fatal(err)
		}
		checkFragmentNames(t, dir, frags)
		for i := 1; i < len(frags); i++ {
			if frags[i].Begin != frags[i-1].End {
				t.Fatalf("run %d: fragments of %s are not contiguous: %+v then %+v", run, journal, frags[i-1], frags[i])
			}
		}
		r, err := ReadCommitted(context.Background(), l, journal, Checkpoint{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for {
			doc, err := r.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("run %d: reading %s: %v", run, journal, err)
			}
			if doc.IsAck() {
				continue
			}
			var v struct{ ID string }
			if err := json.Unmarshal(doc.Raw, &v); err != nil {
				t.Fatal(err)
			}
			seen[v.ID]++
		}
		r.Close()
	}
	for id := range acked {
		if seen[id] != 1 {
			t.Fatalf("run %d: acknowledged document %s read %d times", run, id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("run %d: document %s read %d times", run, id, n)
		}
	}
}
